"""Question answering over abstracts: PubMedQA-style yes / no / maybe readers."""
