"""BioMine: mine PubMed abstracts for entities, relations and answers."""

from mining.types import Answer, Deletion, Document, Entity, Relation

__all__ = ["Answer", "Deletion", "Document", "Entity", "Relation"]
__version__ = "0.1.0"
