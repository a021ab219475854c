"""The environment variables offline-report reads, named once: the settings file, the model, the cache folder."""

ENV_CONFIG = "OFFLINE_REPORT_CONFIG"  # config/file.py: the settings file
ENV_MODEL = "OFFLINE_REPORT_MODEL"  # llm/models.py: the model file (after --model)
ENV_CACHE = "OFFLINE_REPORT_CACHE"  # cache.py: the cache folder (after --cache-dir)
