"""Read models: pure folds of the event stream. One fold serves "now" and "as of" alike."""
