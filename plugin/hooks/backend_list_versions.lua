local skillrig = require("skillrig")
local json = require("json")

-- skillrig-mise prints {"versions": [...]} oldest first: mise takes the last one as latest.
-- Returning nothing fails the hook; skillrig.run has already shown why.
function PLUGIN:BackendListVersions(ctx)
    local out = skillrig.run("list-versions", ctx)
    if out == nil then
        return nil
    end
    local ok, list = pcall(json.decode, out)
    if not ok or type(list) ~= "table" or type(list.versions) ~= "table" then
        return skillrig.fail("skillrig-mise: list-versions printed no version list: "
            .. out:sub(1, 200):gsub("%s+", " "))
    end
    return { versions = list.versions }
end
