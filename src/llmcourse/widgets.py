"""ipywidgets panels used by the lectures. Each builder returns a widget to display; moving a control redraws
its output in place (an ipywidgets.Output), so the browser tests can see the change.

Outputs are set as plain output dicts from the kernel side rather than with `with output:`, so a panel also
redraws without a browser (tests) and nbval sees no stray outputs."""
from __future__ import annotations


def _text_output(text: str) -> dict:
    """A stdout stream output for an ipywidgets.Output."""
    return {"output_type": "stream", "name": "stdout", "text": text}


def _figure_output(figure, text: str, **savefig) -> dict:
    """A display_data output (PNG + text) for an ipywidgets.Output, built without a running kernel; closes `figure`."""
    import base64
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **savefig)
    plt.close(figure)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text}}


def _redraw_on_change(redraw, *controls) -> None:
    """Call `redraw` whenever any control's value changes, and once now."""
    for control in controls:
        control.observe(redraw, names="value")
    redraw()


# --- lecture 02: attention explorer (pick sentence, layer, head) -------------------------------------------------
def attention_explorer(attention_of, sentences, *, layer: int = 0, head: int = 0, focus_token: str | None = "it"):
    """Pick a sentence, a layer and a head; see that head's attention map (rows: queries, columns: keys).

    `attention_of(sentence)` returns `(tokens, weights)` with weights of shape (layers, heads, n, n), e.g. from a
    model loaded with `llmcourse.models.load_encoder(output_attentions=True)`; results are cached per sentence.
    Below the map, one line says where `focus_token` (if the sentence has it) puts most of its attention.
    Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that each move redraws.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    import numpy as np

    from llmcourse.plotting import heatmap

    sentences = list(sentences)
    cache: dict[str, tuple[list[str], np.ndarray]] = {}

    def lookup(sentence):
        if sentence not in cache:
            tokens, weights = attention_of(sentence)
            if hasattr(weights, "detach"):
                weights = weights.detach().cpu().numpy()
            cache[sentence] = (list(tokens), np.asarray(weights, dtype=float))
        return cache[sentence]

    _, first = lookup(sentences[0])
    layers, heads = first.shape[0], first.shape[1]
    sentence_box = widgets.Dropdown(options=sentences, value=sentences[0], description="sentence",
                                    layout=widgets.Layout(width="560px"))
    layer_box = widgets.IntSlider(value=layer, min=0, max=layers - 1, description="layer")
    head_box = widgets.IntSlider(value=head, min=0, max=heads - 1, description="head")
    output = widgets.Output()

    def redraw(*_):
        tokens, weights = lookup(sentence_box.value)
        l, h = layer_box.value, head_box.value
        matrix = weights[l, h]
        text = f"layer {l}, head {h}"
        title = text
        if focus_token in tokens:
            i = tokens.index(focus_token)
            j = int(np.argmax(matrix[i]))
            text += f": '{focus_token}' puts most attention on '{tokens[j]}' ({matrix[i, j]:.2f})"
            title += f"\n'{focus_token}' puts most attention on '{tokens[j]}' ({matrix[i, j]:.2f})"
        figure, ax = plt.subplots(figsize=(6.0, 5.2))
        # the caption is the title's second line: text placed at the figure's foot ran into the rotated tokens
        heatmap(matrix, row_labels=tokens, col_labels=tokens, ax=ax, vmin=0, vmax=1, annotate=False, title=title,
                xlabel="key (attended to)", ylabel="query (attending)", colorbar_label="attention weight")
        output.outputs = (_figure_output(figure, text, bbox_inches="tight"),)

    _redraw_on_change(redraw, sentence_box, layer_box, head_box)
    panel = widgets.VBox([sentence_box, widgets.HBox([layer_box, head_box]), output])
    panel.output = output
    return panel


# --- lecture 03: positional encoding explorer (sequence length, dimension, base n) -------------------------------
def positional_encoding_panel(encode, *, seq_len: int = 50, d: int = 128, n: float = 10000.0,
                              max_len: int = 200, max_d: int = 512):
    """Sliders for sequence length, dimension and base n; each move redraws the encoding matrix (heatmap) and the
    dot product PE(0) . PE(offset) against the offset.

    `encode(seq_len, d, n)` returns the (seq_len, d) encoding, e.g. the lecture's own vectorised sinusoidal code.
    One text line above the plots gives the numbers shown. Returns the panel (an ipywidgets.VBox); its `.output` is
    the ipywidgets.Output that each move redraws (kernel-side, so it also works without a browser).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    import numpy as np

    from llmcourse.plotting import heatmap

    length_box = widgets.IntSlider(value=seq_len, min=2, max=max_len, description="length")
    dim_box = widgets.IntSlider(value=d, min=2, max=max_d, step=2, description="dimension")
    base_box = widgets.FloatLogSlider(value=n, base=10, min=1, max=5, step=0.25, description="base n",
                                      readout_format=".0f")
    output = widgets.Output()

    def redraw(*_):
        length, dim, base = length_box.value, dim_box.value, base_box.value
        matrix = np.asarray(encode(length, dim, base), dtype=float)
        dots = matrix @ matrix[0]  # PE(0) . PE(offset); the same for every start position
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
        heatmap(matrix, ax=left, cmap="RdBu", vmin=-1, vmax=1, annotate=False, xlabel="dimension",
                ylabel="position", title=f"PE: {length} positions x {dim} dimensions, n = {base:.0f}",
                colorbar_label="PE value")
        right.plot(np.arange(length), dots, marker="." if length <= 40 else None)
        right.axhline(0, color="grey", linewidth=0.5)
        right.set_xlabel("offset phi")
        right.set_ylabel("PE(0) . PE(phi)")
        right.set_title("dot product against offset")
        figure.tight_layout()
        text = f"length {length}, d = {dim}, n = {base:.0f}: PE(0).PE(0) = {dots[0]:.2f}"
        text += f", PE(0).PE(1) = {dots[1]:.2f}, PE(0).PE({length - 1}) = {dots[-1]:.2f}"
        output.outputs = (_text_output(text + "\n"), _figure_output(figure, f"<positional encoding plots: {text}>"))

    _redraw_on_change(redraw, length_box, dim_box, base_box)
    panel = widgets.VBox([widgets.HBox([length_box, dim_box, base_box]), output])
    panel.output = output
    return panel


# --- lecture 01: nearest-neighbour explorer (pick or type an item, see its neighbours and cosines) --------------
def nearest_neighbour_explorer(vectors, labels, *, groups=None, k: int = 8, initial: str | None = None,
                               max_k: int = 20, description: str = "item"):
    """Pick or type an item (a product, a word); see its `k` nearest neighbours by cosine similarity.

    `vectors` is an (n, d) array or tensor, `labels[i]` names row i, `groups[i]` (optional) is shown beside each
    neighbour (e.g. a product's aisle). Typed text that is not a label picks the first label containing it
    (case-insensitive). Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that each
    change redraws (kernel-side, so it also works without a browser), `.item` the combobox, `.k` the slider.
    """
    import ipywidgets as widgets
    import numpy as np

    if hasattr(vectors, "detach"):
        vectors = vectors.detach().cpu().numpy()
    matrix = np.asarray(vectors, dtype=float)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = matrix / np.where(norms == 0, 1.0, norms)
    labels = [str(label) for label in labels]
    if len(labels) != len(unit):
        raise ValueError(f"{len(labels)} labels for {len(unit)} vectors")
    index = {label: i for i, label in enumerate(labels)}
    item_box = widgets.Combobox(options=sorted(labels), value=initial or labels[0], description=description,
                                placeholder="pick or type", ensure_option=False,
                                layout=widgets.Layout(width="460px"))
    k_box = widgets.IntSlider(value=k, min=1, max=min(max_k, len(labels) - 1), description="neighbours")
    output = widgets.Output()

    def find(text: str) -> int | None:
        if text in index:
            return index[text]
        text = text.strip().lower()
        matches = [i for i, label in enumerate(labels) if text and text in label.lower()]
        return matches[0] if matches else None

    def redraw(*_):
        i = find(item_box.value)
        if i is None:
            text = f"no item matches {item_box.value!r}: pick one from the list\n"
        else:
            sims = unit @ unit[i]
            order = [j for j in np.argsort(-sims, kind="stable") if j != i][:k_box.value]
            width = max(len(labels[j]) for j in order)
            lines = [f"nearest neighbours of {labels[i]!r}" + (f" ({groups[i]})" if groups is not None else "")]
            for rank, j in enumerate(order, start=1):
                extra = f"  [{groups[j]}]" if groups is not None else ""
                lines.append(f"{rank:>2}. {sims[j]:+.3f}  {labels[j]:<{width}}{extra}")
            text = "\n".join(lines) + "\n"
        output.outputs = (_text_output(text),)

    _redraw_on_change(redraw, item_box, k_box)
    panel = widgets.VBox([widgets.HBox([item_box, k_box]), output])
    panel.output, panel.item, panel.k = output, item_box, k_box
    return panel


# --- lecture 04: fill-in-the-blank box (pick or type a sentence with [MASK], pick a model, see its guesses) ------
def fill_in_the_blank_panel(predictors, sentences, *, k: int = 5, max_k: int = 10, mask_token: str = "[MASK]"):
    """Pick or type a sentence containing `mask_token`, pick a model; see that model's top-k guesses for the blank.

    `predictors` maps a model's name (e.g. "before training", "after training") to `predict(sentence, k)`, which
    returns the k most likely `(token, probability)` pairs for the first blank. A sentence without a blank gets a
    one-line reminder instead. Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that
    each change redraws (kernel-side, so it also works without a browser); `.sentence`, `.model`, `.k` the controls.
    """
    import ipywidgets as widgets

    predictors = dict(predictors)
    sentences = list(sentences)
    sentence_box = widgets.Combobox(options=sentences, value=sentences[0], description="sentence",
                                    placeholder=f"type a sentence with {mask_token}", ensure_option=False,
                                    layout=widgets.Layout(width="560px"))
    model_box = widgets.ToggleButtons(options=list(predictors), value=list(predictors)[-1], description="model")
    k_box = widgets.IntSlider(value=k, min=1, max=max_k, description="guesses")
    output = widgets.Output()

    def redraw(*_):
        sentence = sentence_box.value
        if mask_token not in sentence:
            text = f"put {mask_token} where the missing word goes, e.g. {sentences[0]!r}\n"
        else:
            guesses = predictors[model_box.value](sentence, k_box.value)
            lines = [f"{model_box.value}: {sentence}"]
            lines += [f"{rank:>2}. {token:<12} {probability:6.1%}  " + "#" * round(40 * probability)
                      for rank, (token, probability) in enumerate(guesses, start=1)]
            text = "\n".join(lines) + "\n"
        output.outputs = (_text_output(text),)

    _redraw_on_change(redraw, sentence_box, model_box, k_box)
    panel = widgets.VBox([sentence_box, widgets.HBox([model_box, k_box]), output])
    panel.output, panel.sentence, panel.model, panel.k = output, sentence_box, model_box, k_box
    return panel


# --- lecture 06: classifier probabilities (pick or type a sentence, pick a classifier, see P(label)) -------------
def classifier_probability_panel(classifiers, labels, sentences, *, description: str = "sentence"):
    """Pick or type a sentence, pick a classifier; see the probability it gives each label, as a text bar chart.

    `classifiers` maps a name (e.g. "mean pooling head") to `predict_proba(text)`, which returns one probability
    per entry of `labels` (a list, array or tensor). Returns the panel (an ipywidgets.VBox); its `.output` is the
    ipywidgets.Output that each change redraws (kernel-side, so it also works without a browser); `.sentence` and
    `.model` are the controls.
    """
    import ipywidgets as widgets
    import numpy as np

    classifiers = dict(classifiers)
    labels = [str(label) for label in labels]
    sentences = list(sentences)
    sentence_box = widgets.Combobox(options=sentences, value=sentences[0], description=description,
                                    placeholder="pick or type a sentence", ensure_option=False,
                                    layout=widgets.Layout(width="560px"))
    model_box = widgets.ToggleButtons(options=list(classifiers), value=list(classifiers)[0], description="model")
    output = widgets.Output()

    def redraw(*_):
        text = sentence_box.value.strip()
        if not text:
            report = "type a sentence to classify\n"
        else:
            probabilities = classifiers[model_box.value](text)
            if hasattr(probabilities, "detach"):
                probabilities = probabilities.detach().cpu().numpy()
            probabilities = np.asarray(probabilities, dtype=float).ravel()
            best = int(np.argmax(probabilities))
            width = max(len(label) for label in labels)
            lines = [f"{model_box.value}: {text!r} -> {labels[best]}"]
            lines += [f"  {label:<{width}} {p:6.1%}  " + "#" * round(40 * p)
                      for label, p in zip(labels, probabilities)]
            report = "\n".join(lines) + "\n"
        output.outputs = (_text_output(report),)

    _redraw_on_change(redraw, sentence_box, model_box)
    panel = widgets.VBox([sentence_box, model_box, output])
    panel.output, panel.sentence, panel.model = output, sentence_box, model_box
    return panel


# --- lecture 05: semantic search box (type a query, see the top-k corpus sentences by cosine similarity) ---------
def semantic_search_box(embed, corpus, *, query: str = "", suggestions=(), k: int = 3, max_k: int = 10):
    """Type a query (or pick a suggestion); see the `k` corpus sentences whose embeddings are most similar.

    `embed(list_of_sentences)` returns an (n, d) array or tensor, e.g. mean pooling + normalisation of an encoder's
    token embeddings; the corpus is embedded once and each query once (cached). Scores are cosine similarities.
    Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that each change redraws
    (kernel-side, so it also works without a browser), `.query` the text box, `.k` the slider.
    """
    import ipywidgets as widgets
    import numpy as np

    def unit_rows(vectors):
        if hasattr(vectors, "detach"):
            vectors = vectors.detach().cpu().numpy()
        matrix = np.asarray(vectors, dtype=float)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    corpus = [str(sentence) for sentence in corpus]
    corpus_unit = unit_rows(embed(corpus))
    cache: dict[str, np.ndarray] = {}
    query_box = widgets.Combobox(options=list(suggestions), value=query or (list(suggestions) or [""])[0],
                                 description="query", placeholder="type a sentence", ensure_option=False,
                                 continuous_update=False, layout=widgets.Layout(width="460px"))
    k_box = widgets.IntSlider(value=min(k, len(corpus)), min=1, max=min(max_k, len(corpus)), description="top k")
    output = widgets.Output()

    def redraw(*_):
        text = query_box.value.strip()
        if not text:
            report = "type a query to search the corpus\n"
        else:
            if text not in cache:
                cache[text] = unit_rows(embed([text]))[0]
            sims = corpus_unit @ cache[text]
            order = np.argsort(-sims, kind="stable")[:k_box.value]
            lines = [f"top {k_box.value} of {len(corpus)} for {text!r}"]
            lines += [f"{rank:>2}. {sims[j]:+.3f}  {corpus[j]}" for rank, j in enumerate(order, start=1)]
            report = "\n".join(lines) + "\n"
        output.outputs = (_text_output(report),)

    _redraw_on_change(redraw, query_box, k_box)
    panel = widgets.VBox([widgets.HBox([query_box, k_box]), output])
    panel.output, panel.query, panel.k = output, query_box, k_box
    return panel


# --- lecture 07: autocomplete search box, suggestions before and after semantic de-duplication -----------------
def autocomplete_dedup_box(complete, dedup, *, prefix: str = "mac", threshold: float = 0.8, n: int = 8):
    """Type a prefix, move the threshold; see the ranked completions before and after semantic de-duplication.

    `complete(prefix, n)` returns the n most searched completions (a list of strings, best first);
    `dedup(suggestions, threshold)` returns the indices of the suggestions it keeps. Both are written in the lecture
    notebook. Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that each change
    redraws (kernel-side, so it also works without a browser); `.prefix`, `.threshold` and `.n` are the controls.
    """
    import ipywidgets as widgets

    prefix_box = widgets.Text(value=prefix, description="search", placeholder="type a prefix, e.g. mac",
                              continuous_update=True)
    threshold_box = widgets.FloatSlider(value=threshold, min=0.5, max=1.0, step=0.01, description="threshold",
                                        readout_format=".2f")
    n_box = widgets.IntSlider(value=n, min=2, max=15, description="suggestions")
    output = widgets.Output()

    def redraw(*_):
        suggestions = list(complete(prefix_box.value.strip().lower(), n_box.value))
        if not suggestions:
            text = f"no logged query starts with {prefix_box.value!r}\n"
        else:
            kept = set(dedup(suggestions, threshold_box.value))
            width = max(len(s) for s in suggestions)
            lines = [f"{'before de-duplication':<{width + 4}}  after (cosine >= {threshold_box.value:.2f} to a kept "
                     f"suggestion is dropped)"]
            after = [s for i, s in enumerate(suggestions) if i in kept]
            for i, suggestion in enumerate(suggestions):
                right = f"kept {suggestion}" if i in kept else "(dropped: a near-duplicate of a kept one)"
                lines.append(f"{i + 1:>2}. {suggestion:<{width}}  {right}")
            lines.append(f"{len(after)} of {len(suggestions)} suggestions kept")
            text = "\n".join(lines) + "\n"
        output.outputs = (_text_output(text),)

    _redraw_on_change(redraw, prefix_box, threshold_box, n_box)
    panel = widgets.VBox([widgets.HBox([prefix_box, threshold_box, n_box]), output])
    panel.output, panel.prefix, panel.threshold, panel.n = output, prefix_box, threshold_box, n_box
    return panel


# --- lecture 07: query -> products, several retrieval models side by side ---------------------------------------
def query_products_panel(searchers, *, query: str = "oj", k: int = 5, max_k: int = 10):
    """Type a query; see each retrieval model's top `k` products side by side.

    `searchers` maps a model's name to `search(text, k)`, which returns the k best (title, score) pairs, best first
    (written in the lecture notebook, e.g. zero-shot MiniLM and trained towers). Returns the panel (an
    ipywidgets.VBox); its `.output` is the ipywidgets.Output that each change redraws (kernel-side, so it also works
    without a browser); `.query` is the text box and `.k` the slider.
    """
    import ipywidgets as widgets

    query_box = widgets.Text(value=query, description="query", placeholder="type a grocery search, e.g. oj",
                             continuous_update=False)
    k_box = widgets.IntSlider(value=k, min=1, max=max_k, description="top k")
    output = widgets.Output()

    def redraw(*_):
        text = query_box.value.strip().lower()
        if not text:
            output.outputs = (_text_output("type a query to search the catalogue\n"),)
            return
        columns = {name: [f"{rank}. {title} ({score:+.2f})" for rank, (title, score)
                          in enumerate(search(text, k_box.value), start=1)] for name, search in searchers.items()}
        width = max(len(line) for lines in columns.values() for line in [*lines, ""]) + 2
        width = max(width, *(len(name) + 2 for name in columns))
        lines = [f"top {k_box.value} products for {text!r}", "".join(f"{name:<{width}}" for name in columns)]
        for row in zip(*columns.values()):
            lines.append("".join(f"{cell:<{width}}" for cell in row).rstrip())
        output.outputs = (_text_output("\n".join(lines) + "\n"),)

    _redraw_on_change(redraw, query_box, k_box)
    panel = widgets.VBox([widgets.HBox([query_box, k_box]), output])
    panel.output, panel.query, panel.k = output, query_box, k_box
    return panel


# --- lecture 08: next-token panel (type a prompt, set temperature and top-k, see the distribution, generate) -----
def next_token_panel(next_distribution, generate, prompts, *, temperature: float = 1.0, top_k: int = 10,
                     max_top_k: int = 50, bars: int = 12):
    """Type or pick a prompt, move the temperature and top-k sliders; see the model's next-token distribution as a
    bar chart (after temperature and top-k, i.e. what sampling draws from). The button generates a continuation.

    `next_distribution(prompt, temperature, top_k)` returns `(tokens, probabilities)` over the whole vocabulary
    (probabilities a list, array or tensor; temperature 0 means greedy). `generate(prompt, temperature, top_k,
    seed)` returns the generated text; the n-th click uses seed n, so every click gives a new but reproducible text.
    Returns the panel (an ipywidgets.VBox); its `.output` is the ipywidgets.Output that each change redraws
    (kernel-side, so it also works without a browser); `.prompt`, `.temperature`, `.top_k`, `.button` the controls.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    import numpy as np

    prompts = list(prompts)
    prompt_box = widgets.Combobox(options=prompts, value=prompts[0], description="prompt", ensure_option=False,
                                  placeholder="type the start of a story", continuous_update=False,
                                  layout=widgets.Layout(width="560px"))
    temperature_box = widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.1, description="temperature",
                                          readout_format=".1f")
    k_box = widgets.IntSlider(value=top_k, min=1, max=max_top_k, description="top-k")
    button = widgets.Button(description="generate", icon="play", button_style="primary")
    output = widgets.Output()
    generated = {"text": "", "clicks": 0}

    def redraw(*_):
        prompt = prompt_box.value.strip()
        if not prompt:
            output.outputs = (_text_output("type a prompt, e.g. " + repr(prompts[0]) + "\n"),)
            return
        tokens, probabilities = next_distribution(prompt, temperature_box.value, k_box.value)
        if hasattr(probabilities, "detach"):
            probabilities = probabilities.detach().cpu().numpy()
        probabilities = np.asarray(probabilities, dtype=float)
        order = np.argsort(-probabilities, kind="stable")[:bars]
        kept = int((probabilities > 0).sum())
        figure, ax = plt.subplots(figsize=(7, 0.28 * len(order) + 1.2))
        ax.barh(range(len(order)), probabilities[order], color="tab:blue")
        ax.set_yticks(range(len(order)), labels=[tokens[i] for i in order])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability of the next token")
        ax.set_title(f"after {prompt.split()[-1]!r}: temperature {temperature_box.value:.1f}, top-k "
                     f"{k_box.value} ({kept} tokens can be drawn)", fontsize=9)
        figure.tight_layout()
        top = ", ".join(f"{tokens[i]} {probabilities[i]:.2f}" for i in order[:3])
        text = f"next token after {prompt!r}: {top} ({kept} tokens can be drawn)"
        parts = [_text_output(text + "\n"), _figure_output(figure, f"<next-token bar chart: {text}>")]
        if generated["text"]:
            parts.append(_text_output(generated["text"] + "\n"))
        output.outputs = tuple(parts)

    def on_click(_):
        generated["clicks"] += 1
        seed = generated["clicks"]
        text = generate(prompt_box.value.strip(), temperature_box.value, k_box.value, seed)
        generated["text"] = f"generated (seed {seed}): {text}"
        redraw()

    button.on_click(on_click)
    _redraw_on_change(redraw, prompt_box, temperature_box, k_box)
    panel = widgets.VBox([prompt_box, widgets.HBox([temperature_box, k_box, button]), output])
    panel.output, panel.prompt, panel.temperature, panel.top_k, panel.button = (output, prompt_box, temperature_box,
                                                                                k_box, button)
    return panel
