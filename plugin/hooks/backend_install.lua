local skillrig = require("skillrig")

function PLUGIN:BackendInstall(ctx)
    skillrig.run("install", ctx, {
        SKILLRIG_VERSION = ctx.version,
        SKILLRIG_INSTALL_PATH = ctx.install_path,
        SKILLRIG_DOWNLOAD_PATH = ctx.download_path or "",
    })
    return {}
end
