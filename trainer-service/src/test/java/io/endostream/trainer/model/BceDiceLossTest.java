package io.endostream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BceDiceLossTest {

    @Test
    void gradientMatchesFiniteDifferencesWithAndWithoutMask() {
        Nd4j.getRandom().setSeed(3);
        INDArray z = Nd4j.randn(DataType.DOUBLE, 20, 1);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 20, 1).gt(0.5).castTo(DataType.DOUBLE);
        INDArray mask = Nd4j.rand(DataType.DOUBLE, 20, 1).gt(0.3).castTo(DataType.DOUBLE);
        BceDiceLoss loss = new BceDiceLoss();
        for (INDArray m : new INDArray[]{null, mask}) {
            INDArray grad = loss.computeGradient(y, z, new ActivationSigmoid(), m);
            for (int i = 0; i < 20; i++) {
                double h = 1e-6;
                INDArray zp = z.dup();
                zp.putScalar(i, 0, z.getDouble(i, 0) + h);
                INDArray zm = z.dup();
                zm.putScalar(i, 0, z.getDouble(i, 0) - h);
                double numeric = (loss.computeScore(y, zp, new ActivationSigmoid(), m, false)
                        - loss.computeScore(y, zm, new ActivationSigmoid(), m, false)) / (2 * h);
                assertEquals(numeric, grad.getDouble(i, 0), 1e-5, "row " + i + (m == null ? "" : " masked"));
            }
        }
    }

    @Test
    void perfectPredictionScoresNearZeroAndScoreArraySumsToTheScore() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {0}});
        INDArray confident = y.mul(40).subi(20); // logits +-20
        BceDiceLoss loss = new BceDiceLoss();
        assertTrue(loss.computeScore(y, confident, new ActivationSigmoid(), null, true) < 1e-6);
        INDArray wrong = confident.neg();
        double score = loss.computeScore(y, wrong, new ActivationSigmoid(), null, false);
        assertTrue(score > 40, "confidently wrong: " + score);
        assertEquals(score, loss.computeScoreArray(y, wrong, new ActivationSigmoid(), null).sumNumber().doubleValue(),
                1e-9 * score);
    }
}
