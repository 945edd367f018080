//! GitHub token resolution per host: env, credential_command, gh's keyring item, gh auth token.
