"""Engines that run a pipeline over the store: the Ray engine and its Parquet shards (the local
engine is ``mining.pipeline.run_pipeline``)."""
