-- Runs on every prompt: no process, no I/O, just the bin directory.
function PLUGIN:BackendExecEnv(ctx)
    return { env_vars = { { key = "PATH", value = ctx.install_path .. "/bin" } } }
end
