"""Project provisioning and removal: request model, policy documents, idempotent steps with compensations."""
