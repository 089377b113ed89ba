"""The text engine: pure Python, no Django, no network. `pipeline.analyse_texts` is the entry."""
