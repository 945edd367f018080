-- skillrig: a mise backend plugin that installs each CLI released from a skillrig origin
-- (one GitHub monorepo, many CLIs, one version stream per CLI) as its own tool:
--   "skillrig:acme/tools/jira" = "latest"
-- All logic lives in the `skillrig-mise` binary; these hooks only call it.
PLUGIN = {
    name = "skillrig",
    version = "0.1.0",
    description = "Per-CLI version streams from a skillrig origin (private GitHub monorepo)",
    author = "skillrig",
    license = "MIT OR Apache-2.0",
    homepage = "https://github.com/skillrig/skillrig-mise",
}
