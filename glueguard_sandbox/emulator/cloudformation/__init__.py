"""CloudFormation where moto 5.2.5 falls short (stacksets: service-managed StackSet instances)."""
