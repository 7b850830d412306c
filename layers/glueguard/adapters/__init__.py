"""AWS adapters: the only modules that talk to AWS (boto3 is imported lazily, at first use)."""
