"""The relationships projection's read models, one module each: its views, its statements, its reads."""
