"""Every sentence of exercises/ps02_self_attention (markdown and docstrings) and what enforces it (issue 15).
See tests/instructions/ps01_word2vec_cosine.py for the format."""
from llmcourse.authoring.instructions import context, permits, rule

HEADING = "a heading"
OVERVIEW = "the overview list repeats the parts below, which are enforced there"
SOFTMAX = "test_softmax"
SDPA = "test_scaled_dot_product_attention"
ICE = "test_ice0"
CAUSAL = "test_causal_mask"
MHA = "test_multi_head_attention"
LN = "test_layer_norm"
ENCODER = "test_encoder_block"
WRITTEN = "the written question, graded by hand with its mark scheme"

TABLE = {
    "# Problem set 02: self-attention, multi-head attention and the encoder block": context(HEADING),
    "Pairs with `lectures/02_self_attention.ipynb`.": context("a pointer to the lecture"),
    "You will write, in PyTorch:": context(OVERVIEW),
    "1. a numerically stable **softmax** (2 points)": context(OVERVIEW),
    "2. **scaled dot-product attention** with an optional mask (3 points)": context(OVERVIEW),
    "3. the **ICE #0** answer (2 points)": context(OVERVIEW),
    "4. the **causal mask** of a decoder (1 point)": context(OVERVIEW),
    "5. **multi-head attention** from given weights (3 points)": context(OVERVIEW),
    "6. **LayerNorm** (2 points)": context(OVERVIEW),
    "7. the **encoder block** (3 points), and one written answer (1 point)": context(OVERVIEW),
    "Rules: write the maths yourself with tensor operations (`@`, `exp`, `sum`, `mean`, `reshape`, `transpose`, "
    "...); do **not** use any `softmax`, `log_softmax`, `scaled_dot_product_attention`, `MultiheadAttention`, "
    "`layer_norm` or `LayerNorm` of PyTorch (`torch.softmax`, `F.softmax`, `x.softmax(...)`, ...) in your "
    "solutions: the tests use them as the reference, and the grader reads your code for them.":
        rule(SOFTMAX, SDPA, ICE, MHA, LN, ENCODER,
             mutants=["softmax_calls_torch_softmax", "softmax_calls_the_tensor_method",
                      "attention_output_from_the_library", "ice0_with_torch_softmax", "mha_with_torch_module",
                      "mha_with_library_attention", "layer_norm_calls_the_library", "encoder_with_torch_layer_norm"]),
    "Loops (over heads, say) are allowed.": permits("mha_with_a_loop_over_heads"),
    "Do not change the tensors you are given (no in-place operations such as `-=` or `masked_fill_` on them).":
        rule(SOFTMAX, SDPA, MHA, LN, mutants=["softmax_shifts_the_input_in_place",
                                              "attention_inverts_the_mask_in_place", "mha_scales_the_input_in_place",
                                              "layer_norm_centres_in_place"]),
    "Conventions, as in the lecture: tokens are **rows**, a weight matrix is applied as `X @ W`, a boolean mask is "
    "`True` where a query **may** attend to a key.": rule(MHA, mutants=["mha_weights_transposed"]),
    "Each test cell shows some checks; hidden tests use fresh shapes, batches, masks and extreme values.":
        context("describes the tests"),
    "The whole notebook runs in a few seconds.": context("describes the notebook"),

    "## 1. A numerically stable softmax (2 points)": context(HEADING),
    r"$\operatorname{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}$ along dimension `dim`.":
        rule(SOFTMAX, mutants=["softmax_ignores_dim", "softmax_over_first_axis", "softmax_not_normalised"]),
    "Computed naively, $e^{1000}$ overflows to `inf` and the result becomes `inf / inf = nan`.":
        rule(SOFTMAX, mutants=["naive_softmax_overflows"]),
    r"Since $\operatorname{softmax}(x) = \operatorname{softmax}(x - c)$ for any constant $c$, subtract **each row's "
    "own maximum** (along `dim`, with `keepdim=True`) first.": rule(SOFTMAX, mutants=["softmax_subtracts_global_max"]),
    "Entries equal to `-inf` (masked) must get weight exactly 0.": rule(SDPA, mutants=["attention_masks_with_zero_scores"]),
    "Return a tensor of the input's shape.": rule(SOFTMAX, mutants=["softmax_over_first_axis"]),
    "Softmax of tensor `x` along `dim`, stable for huge logits.": rule(SOFTMAX, mutants=["naive_softmax_overflows"]),

    "## 2. Scaled dot-product attention with an optional mask (3 points)": context(HEADING),
    r"$$\text{Attention}(Q, K, V) = \operatorname{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V$$":
        rule(SDPA, mutants=["attention_without_sqrt_dk", "attention_divided_by_d_k",
                            "attention_divided_by_two_as_on_slide", "attention_softmax_over_queries"]),
    "- `Q` has shape `(..., n_q, d_k)`, `K` `(..., n_k, d_k)`, `V` `(..., n_k, d_v)`; the leading dimensions "
    "(batch, heads) are shared.": rule(SDPA, mutants=["attention_divided_by_d_k"]),
    "Transpose only the **last two** dimensions of `K`.": rule(SDPA, mutants=["attention_softmax_over_queries"]),
    "- `mask` (optional) is a boolean tensor that broadcasts to `(..., n_q, n_k)`, `True` where a query may attend "
    "to a key.": rule(SDPA, mutants=["attention_masks_with_zero_scores"]),
    "Set the forbidden scores to `-inf` **before** the softmax (`masked_fill`).":
        rule(SDPA, mutants=["attention_mask_after_softmax", "attention_masks_with_zero_scores"]),
    "- A query whose row is entirely masked must get **zero** weights and a zero output (not nan).":
        rule(SDPA, mutants=["attention_nan_on_fully_masked_rows"]),
    "- Use your `softmax`.": permits("attention_with_where_and_nan_to_num"),
    "Return `(output, weights)` with shapes `(..., n_q, d_v)` and `(..., n_q, n_k)`.":
        rule(SDPA, mutants=["attention_softmax_over_queries"]),
    "softmax(Q K^T / sqrt(d_k)) V with an optional boolean mask (True = may attend).":
        rule(SDPA, mutants=["attention_without_sqrt_dk"]),
    "Returns (output, weights).": rule(SDPA, mutants=["attention_without_sqrt_dk"]),

    "## 3. ICE #0 (2 points)": context(HEADING),
    "From EEP 596 lecture 7: two tokens $x = [[1, 2, 3, -1], [3, -4, -7, 5]]$ and the weight matrices below.":
        context("the data of the exercise (given in the cell)"),
    r"Compute $Q = xW^Q$, $K = xW^K$, $V = xW^V$, the attention weights (softmax over rows of $QK^\top / "
    r"\sqrt{d_k}$) and $Z$, and answer: **which token (1 or 2) does token 2 place more attention on?**":
        rule(ICE, mutants=["ice0_scores_k_times_q", "ice0_z_from_embeddings_not_values", "ice0_answers_token_1"]),
    r"Careful: $d_k$ is the width of $Q$ and $K$ here, so the scale is $\sqrt{d_k}$ with *that* $d_k$ (the slide "
    "writes 2).": rule(ICE, mutants=["ice0_divides_by_two_as_on_slide"]),
    "Return `(weights, Z, answer)`: a 2 x 2 tensor, a 2 x 3 tensor and an `int` (1 or 2, counting tokens from 1 as "
    "the slide does).": rule(ICE, mutants=["ice0_answer_counted_from_zero"]),
    "You may use your `scaled_dot_product_attention`.": permits("ice0_step_by_step"),
    "ICE #0: return (weights 2x2, Z 2x3, answer) where answer (1 or 2) is the token that token 2 attends to more.":
        rule(ICE, mutants=["ice0_answers_token_1"]),

    "## 4. The causal mask (1 point)": context(HEADING),
    r"A decoder (GPT) may not look ahead: token $i$ may attend to tokens $j \le i$ only.":
        rule(CAUSAL, mutants=["causal_mask_sees_the_future", "causal_mask_one_step_ahead"]),
    "Return a **boolean** tensor of shape `(n, n)`, `True` where query $i$ may attend to key $j$ (so the diagonal is "
    "`True`: a token sees itself).": rule(CAUSAL, mutants=["causal_mask_as_floats", "causal_mask_without_diagonal"]),
    "Boolean n x n mask, True where query i may attend to key j (j <= i).":
        rule(CAUSAL, mutants=["causal_mask_as_floats"]),

    "## 5. Multi-head attention (3 points)": context(HEADING),
    "`X` has shape `(batch, n, d_model)`; `W_q`, `W_k`, `W_v`, `W_o` are `d_model x d_model`; `num_heads` divides "
    "`d_model`, and each head has width `d_k = d_model // num_heads`:":
        rule(MHA, mutants=["mha_scaled_by_sqrt_d_model"]),
    "1. project: `X @ W_q`, `X @ W_k`, `X @ W_v`;": rule(MHA, mutants=["mha_weights_transposed"]),
    r"2. split the last dimension into heads: `(batch, n, d_model) -> (batch, n, num_heads, d_k) -> (batch, "
    r"num_heads, n, d_k)` (head $i$ uses columns $i \cdot d_k, \dots, (i+1) d_k - 1$);":
        rule(MHA, mutants=["mha_split_without_transpose"]),
    r"3. attention per head (your `scaled_dot_product_attention`, scale $\sqrt{d_k}$), with `mask` (optional, as in "
    "2);": rule(MHA, mutants=["mha_scaled_by_sqrt_d_model"]),
    "4. move the heads back next to each other: `(batch, num_heads, n, d_k) -> (batch, n, num_heads, d_k) -> "
    "(batch, n, d_model)` (concatenation), then multiply by `W_o`.":
        rule(MHA, mutants=["mha_heads_not_transposed_back", "mha_forgets_output_projection"]),
    "Return the output, shape `(batch, n, d_model)`.": rule(MHA, mutants=["mha_heads_not_transposed_back"]),
    "The tests compare with `torch.nn.MultiheadAttention` (no biases).": context("describes the tests"),
    "Multi-head self-attention of X (batch, n, d_model) with the given weights; returns (batch, n, d_model).":
        rule(MHA, mutants=["mha_forgets_output_projection"]),

    "## 6. LayerNorm (2 points)": context(HEADING),
    "For each token (the **last** dimension, $d$ features):": rule(LN, mutants=["layer_norm_over_first_dimension"]),
    r"$$\mu = \frac1d \sum_i x_i,\qquad \sigma^2 = \frac1d \sum_i (x_i - \mu)^2,\qquad \text{LayerNorm}(x) = \gamma "
    r"\odot \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta .$$":
        rule(LN, mutants=["layer_norm_without_beta", "layer_norm_ignores_eps_argument"]),
    r"Note the **biased** variance (divide by $d$; `torch.var` divides by $d - 1$ unless told otherwise) and "
    r"$\varepsilon$ **inside** the square root, as in `torch.nn.LayerNorm`.":
        rule(LN, mutants=["layer_norm_unbiased_variance", "layer_norm_eps_outside_sqrt"]),
    "`gamma` and `beta` have shape `(d,)`.": rule(LN, mutants=["layer_norm_without_beta"]),
    "LayerNorm over the last dimension of x, with gain gamma and offset beta.":
        rule(LN, mutants=["layer_norm_over_first_dimension"]),

    "## 7. The encoder block (3 points)": context(HEADING),
    "The post-norm block of the SIT330 notes (and of the original transformer and BERT):":
        rule(ENCODER, mutants=["encoder_pre_norm"]),
    r"$$T^1 = \text{MultiHeadAttention}(X),\; T^2 = X + T^1,\; T^3 = \text{LayerNorm}_1(T^2),\; T^4 = "
    r"\text{FFN}(T^3),\; T^5 = T^4 + T^3,\; H = \text{LayerNorm}_2(T^5),$$":
        rule(ENCODER, mutants=["encoder_second_residual_adds_x", "encoder_without_residuals",
                               "encoder_reuses_first_layer_norm"]),
    r"with $\text{FFN}(x) = \max(0, xW_1 + b_1)W_2 + b_2$ and LayerNorm's $\varepsilon = 10^{-5}$.":
        rule(ENCODER, mutants=["encoder_ffn_without_relu"]),
    "`params` is a dict with keys `W_q, W_k, W_v, W_o` (attention, no biases), `W_1` ($d \\times d_{ff}$), `b_1`, "
    "`W_2` ($d_{ff} \\times d$), `b_2`, `gamma_1, beta_1, gamma_2, beta_2`.":
        rule(ENCODER, mutants=["encoder_reuses_first_layer_norm"]),
    "Use your `multi_head_attention` and `layer_norm`.": permits("encoder_with_clamp_as_relu"),
    "The tests compare with `torch.nn.TransformerEncoderLayer` (post-norm, dropout 0, ReLU).":
        context("describes the tests"),
    "One post-norm transformer encoder block applied to X (batch, n, d_model).":
        rule(ENCODER, mutants=["encoder_pre_norm", "encoder_ignores_mask"]),

    "## 8. Written answer (1 point)": context(HEADING),
    r"In two or three sentences: why are the scores divided by $\sqrt{d_k}$, and what would go wrong during training "
    "without it?": context(WRITTEN),
    "(Think of the experiment in the lecture.)": context(WRITTEN),
}
