"""Behaviour of each Lambda function; functions/<name>/app.py re-exports `handler`."""
