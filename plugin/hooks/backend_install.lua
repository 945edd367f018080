local skillrig = require("skillrig")

-- Returning nothing fails the install; skillrig.run has already shown why.
function PLUGIN:BackendInstall(ctx)
    local out = skillrig.run("install", ctx, {
        SKILLRIG_VERSION = ctx.version,
        SKILLRIG_INSTALL_PATH = ctx.install_path,
        SKILLRIG_DOWNLOAD_PATH = ctx.download_path or "",
    })
    if out == nil then
        return nil
    end
    return {}
end
