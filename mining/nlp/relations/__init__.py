"""Relations between entity pairs: tasks, candidates, the entity-marker head, the classifier."""
