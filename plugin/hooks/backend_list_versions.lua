local skillrig = require("skillrig")
local json = require("json")

-- skillrig-mise prints {"versions": [...]} oldest first: mise takes the last one as latest.
function PLUGIN:BackendListVersions(ctx)
    local out = skillrig.run("list-versions", ctx)
    return { versions = json.decode(out).versions }
end
