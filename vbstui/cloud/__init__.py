"""Talks to the cloud: authentication, API clients, models and error explanations."""
