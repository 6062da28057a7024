"""A low-rank trainable change to a frozen linear layer (LoRA, Hu et al. 2021), for the role-swap cross-encoder.

Written out because the course installs no adapter library (peft); it is a few lines. B starts at zero, so a model
with these layers starts exactly as the base model (tests/test_06_fine_tuning.py checks it).
"""
from __future__ import annotations

import torch


class LowRank(torch.nn.Module):
    """base(x) + scale * x Aᵀ Bᵀ, with A (rank x in) drawn from torch's global generator and B (out x rank) zero."""

    def __init__(self, base: torch.nn.Linear, rank: int, scale: float = 2.0):
        super().__init__()
        self.base, self.scale = base, scale
        self.A = torch.nn.Parameter(torch.randn(rank, base.in_features) / base.in_features ** 0.5)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale
