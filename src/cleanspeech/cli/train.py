"""CLI commands for this capability (registered on cleanspeech.cli.app.app)."""
