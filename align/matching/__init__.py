"""Candidates (FAISS), entropic OT on sparse candidates (POT / log-domain), decoding."""

from .candidates import Candidates, csls_knn, knn
from .ot import OTResult, decode, sinkhorn

__all__ = ["Candidates", "OTResult", "csls_knn", "decode", "knn", "sinkhorn"]
