"""Who may see and do what in the household files (ROLES.md). The households issue completes this."""
