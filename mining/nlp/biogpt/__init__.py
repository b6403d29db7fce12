"""BioGPT: its fast offset-aware tokenizer and the generative relation format."""
