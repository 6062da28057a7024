"""Training a sentence-pair classifier (a cross-encoder) on rows (first, second, label, ...): the one loop that
data/generators/role_swap.py and benchmarks/role_swap_task.py share."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
import torch.nn.functional as F


def warm_up_schedule(optimiser: torch.optim.Optimizer, warm_up_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """The learning rate rises linearly over the first `warm_up_steps` steps, then stays."""
    return torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min(1.0, (step + 1) / warm_up_steps))


def train_on_pairs(model, tokenizer, rows: Sequence, optimiser, schedule, steps: int, *, seed: int = 0,
                   batch_size: int = 16) -> Iterator[tuple[int, float]]:
    """Yield (step, loss) after each of `steps` steps: `batch_size` rows drawn with replacement by
    torch.Generator(seed), each pair read as one input, cross-entropy on the model's logits. The model is put in
    train mode once, before the first step: a caller that scores it between steps puts it back."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.tensor([row[2] for row in rows])
    model.train()
    for step in range(1, steps + 1):
        batch = torch.randint(len(rows), (batch_size,), generator=generator)
        inputs = tokenizer([rows[i][0] for i in batch], [rows[i][1] for i in batch], padding=True,
                           return_tensors="pt")
        loss = F.cross_entropy(model(**inputs).logits, labels[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        yield step, float(loss.detach())
