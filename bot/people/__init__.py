"""People: operators as the workspaces show them, admin accounts and contacts."""
