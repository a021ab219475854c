"""The model: the engine seam and its implementations, model files, prompts, schemas, guard and vote."""
