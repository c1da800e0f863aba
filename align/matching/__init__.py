"""Candidates (FAISS), entropic OT on sparse candidates (POT / log-domain), decoding."""

from .candidates import Candidates, csls_knn, knn
from .ot import CandidateOT, OTResult, decode, edge_scores, knn_sinkhorn, sinkhorn

__all__ = ["CandidateOT", "Candidates", "OTResult", "csls_knn", "decode", "edge_scores", "knn", "knn_sinkhorn",
           "sinkhorn"]
