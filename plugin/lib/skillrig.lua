-- Runs `skillrig-mise` for the hooks. Every value (tool, version, paths, options) reaches it
-- through the environment, never interpolated into the shell command, so no quoting can go wrong.
--
-- Failures: whatever is raised from Lua reaches the user wrapped in a Lua stack traceback (mise's
-- Lua runtime adds one to every error), and cmd.exec's error wraps skillrig-mise's message in
-- `Command failed with status …`. So a failing hook prints skillrig-mise's own lines (its cause,
-- then its hints) once, and returns nothing: mise then reports the hook as failed without a
-- traceback (docs/troubleshooting.md shows what mise prints around it).
local cmd = require("cmd")
local log = require("log")
local helper = require("helper")

local M = {}

-- The plugin <-> skillrig-mise contract. Bump it together with `PROTOCOL` in
-- crates/cli/src/plugin_protocol.rs whenever subcommands, arguments, environment or output change.
M.PROTOCOL = 1

local WINDOWS = RUNTIME.osType == "windows"

local function script(action, env)
    local v = WINDOWS and function(name) return '"%' .. name .. '%"' end
        or function(name) return '"$' .. name .. '"' end
    local parts = { v("SKILLRIG_MISE_EXE"), action, v("SKILLRIG_TOOL") }
    if action == "install" then
        table.insert(parts, v("SKILLRIG_VERSION"))
        table.insert(parts, "--install-path " .. v("SKILLRIG_INSTALL_PATH"))
        if env.SKILLRIG_DOWNLOAD_PATH ~= nil and env.SKILLRIG_DOWNLOAD_PATH ~= "" then
            table.insert(parts, "--download-path " .. v("SKILLRIG_DOWNLOAD_PATH"))
        end
    end
    return table.concat(parts, " ")
end

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

-- cmd.exec's error text is `Command failed with status <status>: <stderr>` plus a traceback;
-- returns the child's stderr and its exit code (nil when it died by a signal).
local function child_failure(text)
    local stderr = text:match("Command failed with status [^:\n]*:[^:\n]*: (.*)$") or text
    stderr = stderr:gsub("%s*stack traceback:.*$", ""):gsub("%s+$", "")
    local code = tonumber(text:match("Command failed with status [^:\n]*: *(%d+)"))
    return stderr, code
end

-- A short key for a message (djb2), to recognise it again.
local function key(message)
    local h = 5381
    for i = 1, #message do
        h = (h * 33 + message:byte(i)) % 4294967296
    end
    return string.format("%08x", h)
end

-- mise calls BackendListVersions up to three times per tool in one `mise install`, in fresh
-- Lua states, and often several tools fail for the same reason (no token for the origin). A
-- marker per mise process ($PPID of the shell) and cause shows each cause once; markers of
-- processes that are gone are removed. Windows has no $PPID in cmd: messages show every time.
local SHOWN = [[
d="${XDG_CACHE_HOME:-$HOME/.cache}/skillrig/plugin-errors"
mkdir -p "$d"
for m in "$d"/*-*; do
    [ -d "$m" ] || continue
    p=${m##*/}
    kill -0 "${p%%-*}" 2>/dev/null || rm -rf "$m" || true
done
if mkdir "$d/$PPID-$SKILLRIG_MESSAGE_KEY" 2>/dev/null; then echo first; fi
]]

local function first_time(message)
    if WINDOWS then
        return true
    end
    -- Keyed by the cause line alone: hints may differ in detail between calls (a cache note).
    local cause = message:match("^[^\n]*")
    local ok, out = pcall(cmd.exec, SHOWN, { env = { SKILLRIG_MESSAGE_KEY = key(cause) } })
    return not ok or out:find("first", 1, true) ~= nil
end

-- Shows a failure (one cause line, then `hint:` lines) and returns nil for the hook to return.
function M.fail(message)
    if first_time(message) then
        log.error(message)
    end
    return nil
end

local function cannot_run(exe, code)
    local what = code == 126 and "is not executable" or "was not found"
    if os.getenv("SKILLRIG_MISE_BIN") ~= nil and os.getenv("SKILLRIG_MISE_BIN") ~= "" then
        return "skillrig-mise: SKILLRIG_MISE_BIN=" .. exe .. " " .. what
            .. "\n  hint: unset SKILLRIG_MISE_BIN to use the skillrig-mise this plugin pins,"
            .. " or point it at a skillrig-mise build"
    end
    if helper.pinned_version() == nil then
        return "skillrig-mise: `skillrig-mise` " .. what .. " on PATH, and this skillrig plugin is"
            .. " a development copy that pins no helper"
            .. "\n  hint: set SKILLRIG_MISE_BIN to a skillrig-mise build (cargo build -p skillrig-mise),"
            .. " or install the released plugin (see https://github.com/skillrig/skillrig-mise#install)"
    end
    return "skillrig-mise: the helper at " .. exe .. " " .. what
        .. "\n  hint: delete it so the plugin fetches it again, or set SKILLRIG_MISE_BIN to a"
        .. " skillrig-mise build"
end

-- Runs `skillrig-mise <action>` for the hook's tool; returns its stdout, or nil after showing
-- why it failed.
function M.run(action, ctx, env)
    local exe, err = helper.locate()
    if exe == nil then
        return M.fail(err)
    end
    env = option_env(ctx.options, env or {})
    env.SKILLRIG_MISE_EXE = exe
    env.SKILLRIG_TOOL = ctx.tool
    env.SKILLRIG_PLUGIN_PROTOCOL = tostring(M.PROTOCOL)
    env.SKILLRIG_PLUGIN_VERSION = tostring(PLUGIN.version)
    env.SKILLRIG_PLUGIN_HELPER = helper.pinned_version() or ""
    local ok, out = pcall(cmd.exec, script(action, env), { env = env })
    if ok then
        return out
    end
    local stderr, code = child_failure(tostring(out))
    -- 127/126: the shell could not find or run it; 9009: cmd's "is not recognized".
    if code == 127 or code == 126 or code == 9009 then
        return M.fail(cannot_run(exe, code))
    end
    if stderr == "" then
        stderr = "skillrig-mise: " .. action .. " failed (" .. (code and ("exit " .. code) or "killed")
            .. ") and printed nothing"
    end
    return M.fail(stderr)
end

return M
