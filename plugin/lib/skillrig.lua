-- Runs `skillrig-mise`. Every value (tool, version, paths, options) reaches it through the
-- environment, never interpolated into the shell command, so no quoting can go wrong.
local cmd = require("cmd")

local M = {}

local SCRIPT = {
    ["list-versions"] = '"$SKILLRIG_MISE_EXE" list-versions "$SKILLRIG_TOOL"',
    ["install"] = '"$SKILLRIG_MISE_EXE" install "$SKILLRIG_TOOL" "$SKILLRIG_VERSION"'
        .. ' --install-path "$SKILLRIG_INSTALL_PATH" --download-path "$SKILLRIG_DOWNLOAD_PATH"',
}

-- mise exports tool options as MISE_TOOL_OPTS__<KEY> for install; doing it ourselves makes
-- every hook see the same options. Tables (arrays, nested tables) arrive JSON-encoded.
local function option_env(options, env)
    local json = require("json")
    for key, value in pairs(options or {}) do
        if type(key) == "string" then
            local name = "MISE_TOOL_OPTS__" .. key:upper():gsub("[^%w]", "_")
            env[name] = type(value) == "table" and json.encode(value) or tostring(value)
        end
    end
    return env
end

function M.run(action, ctx, env)
    env = option_env(ctx.options, env or {})
    local exe = os.getenv("SKILLRIG_MISE_BIN")
    env.SKILLRIG_MISE_EXE = (exe ~= nil and exe ~= "") and exe or "skillrig-mise"
    env.SKILLRIG_TOOL = ctx.tool
    local ok, out = pcall(cmd.exec, SCRIPT[action], { env = env })
    if ok then
        return out
    end
    local message = tostring(out)
    if message:find("exit status: 127", 1, true) then
        error("skillrig: cannot run `" .. env.SKILLRIG_MISE_EXE .. "`; install skillrig-mise"
            .. " (see https://github.com/skillrig/skillrig-mise#install) or set SKILLRIG_MISE_BIN"
            .. " to its path")
    end
    error(message)
end

return M
