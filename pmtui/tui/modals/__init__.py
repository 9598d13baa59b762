"""Modal dialogs (forms, prompts, confirmations) pushed over a screen."""
