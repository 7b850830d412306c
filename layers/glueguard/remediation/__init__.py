"""Turn violations into a plan of AWS calls, and carry the plan out."""
