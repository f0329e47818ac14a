"""The yardstick on TensorFlow: every benchmark hand-written the way the book writes it
(``tf.Variable`` parameters and state, gradients from ``tf.GradientTape``, updates by ``assign``),
eagerly."""
import tensorflow as tf
from hyper import ADAM, X0_2D, f_2d


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


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy.
    """
    x, g = tf.Variable(x0), tf.constant(g)
    states = [(tf.Variable(tf.zeros_like(x)), tf.Variable(tf.zeros_like(x)))]
    return (lambda t: adam_([x], states, [g], t)), (lambda: x.numpy().copy())


def sync():
    """Nothing to wait for: tensorflow computes eagerly."""
