"""The yardstick on TensorFlow: every benchmark hand-written the way the book writes it
(``tf.Variable`` parameters and state, gradients from ``tf.GradientTape``, updates by ``assign``),
eagerly."""
import tensorflow as tf
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, LossCurve, f_2d


def adam_(params, states, grads, t):
    """The book's Adam (its TensorFlow tab with ε and t put right): ``assign`` to every variable."""
    beta1, beta2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["eps"], ADAM["lr"]
    for p, (v, s), g in zip(params, states, grads):
        v[:].assign(beta1 * v + (1 - beta1) * g)
        s[:].assign(beta2 * s + (1 - beta2) * tf.math.square(g))
        v_bias_corr = v / (1 - beta1 ** t)
        s_bias_corr = s / (1 - beta2 ** t)
        p[:].assign(p - lr * v_bias_corr / (tf.math.sqrt(s_bias_corr) + eps))


def adam_2d(steps):
    """``steps`` Adam steps on f_2d from (-5, -2) in float64; returns the trace of floats."""
    params = [tf.Variable([x], dtype=tf.float64) for x in X0_2D]
    states = [(tf.Variable(tf.zeros_like(p)), tf.Variable(tf.zeros_like(p))) for p in params]
    trace = [X0_2D]
    for t in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(f_2d(*params))
        adam_(params, states, tape.gradient(loss, params), t)
        trace.append((float(params[0].numpy()[0]), float(params[1].numpy()[0])))
    return trace


def adam_lean_(params, states, grads, t):
    """Adam as the lean loop writes it: ``assign`` and ``assign_sub`` to whole variables (the book's
    ``v[:].assign`` adds a slicing op to every write)."""
    beta1, beta2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["eps"], ADAM["lr"]
    for p, (v, s), g in zip(params, states, grads):
        v.assign(beta1 * v + (1 - beta1) * g)
        s.assign(beta2 * s + (1 - beta2) * tf.math.square(g))
        v_bias_corr = v / (1 - beta1 ** t)
        s_bias_corr = s / (1 - beta2 ** t)
        p.assign_sub(lr * v_bias_corr / (tf.math.sqrt(s_bias_corr) + eps))


def adam_2d_lean(steps):
    """The lean loop: ``steps`` Adam steps on f_2d from (-5, -2) with one float64 parameter
    Variable (x1, x2), split by ``tf.unstack`` (one op, where ``x[0], x[1]`` are two slices),
    updated in place, and no trace; returns the last point."""
    x = tf.Variable(X0_2D, dtype=tf.float64)
    states = [(tf.Variable(tf.zeros_like(x)), tf.Variable(tf.zeros_like(x)))]
    for t in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = f_2d(*tf.unstack(x))
        adam_lean_([x], states, [tape.gradient(loss, x)], t)
    return tuple(x.numpy().tolist())


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy.
    """
    x, g = tf.Variable(x0), tf.constant(g)
    states = [(tf.Variable(tf.zeros_like(x)), tf.Variable(tf.zeros_like(x)))]
    return (lambda t: adam_([x], states, [g], t)), (lambda: x.numpy().copy())


def sgd(params, grads, states, hyperparams):
    """The book's minibatch SGD."""
    for param, grad in zip(params, grads):
        param.assign_sub(hyperparams["lr"] * grad)


def train_ch11_epoch(features, labels):
    """One epoch of the book's ``train_ch11`` with its ``sgd`` (a shuffled ``tf.data`` pipeline, the
    loss of all the data recorded every 200 examples); returns the recorded losses."""
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    data_iter = dataset.shuffle(buffer_size=1000).batch(TRAIN_CH11["batch_size"])
    w = tf.Variable(tf.random.normal(shape=(features.shape[1], 1), mean=0, stddev=0.01), trainable=True)
    b = tf.Variable(tf.zeros(1), trainable=True)
    all_X, all_y = tf.constant(features), tf.constant(labels)

    def net(X):
        return tf.matmul(X, w) + b

    def loss(y_hat, y):
        return (y_hat - tf.reshape(y, y_hat.shape)) ** 2 / 2

    curve, n, batches = LossCurve(), 0, len(features) // TRAIN_CH11["batch_size"]
    for X, y in data_iter:
        with tf.GradientTape() as g:
            mean_loss = tf.math.reduce_mean(loss(net(X), y))
        dw, db = g.gradient(mean_loss, [w, b])
        sgd([w, b], [dw, db], None, TRAIN_CH11)
        n += X.shape[0]
        if n % 200 == 0:
            curve.add(n / X.shape[0] / batches, float(tf.reduce_mean(loss(net(all_X), all_y))))
    return [y for _, y in curve.points]


def cnn_epoch(train_images, train_labels, test_images, test_labels):
    """One epoch of the lr-scheduler section's LeNet the way the book trains it on TensorFlow (a
    Keras Sequential, compiled and fitted: Keras runs its step as a tf.function); returns the test
    accuracy."""
    layers = tf.keras.layers
    net = tf.keras.models.Sequential([
        layers.Input((8, 8, 1)),
        layers.Conv2D(filters=6, kernel_size=5, padding="same", activation="relu"),
        layers.MaxPool2D(pool_size=2, strides=2),
        layers.Conv2D(filters=16, kernel_size=3, padding="same", activation="relu"),
        layers.MaxPool2D(pool_size=2, strides=2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10)])
    net.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=CNN["lr"]),
                loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    nhwc = (0, 2, 3, 1)
    train_iter = tf.data.Dataset.from_tensor_slices((train_images.transpose(nhwc), train_labels))
    train_iter = train_iter.shuffle(len(train_labels)).batch(CNN["batch_size"])
    test_iter = tf.data.Dataset.from_tensor_slices((test_images.transpose(nhwc), test_labels))
    net.fit(train_iter, epochs=1, verbose=0)
    return net.evaluate(test_iter.batch(CNN["batch_size"]), verbose=0)[1]


def sync():
    """Nothing to wait for: tensorflow computes eagerly."""
