package io.endostream.trainer.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Binary cross-entropy plus soft Dice, for a sigmoid segmentation output.
 *
 * <p>DL4J's {@code CnnLossLayer} hands the loss a 2D view: one row per pixel ({@code R = N*H*W} rows, C columns),
 * and then divides the summed score by N. The loss here is therefore
 * {@code sum_rows BCE + R * diceWeight * (1 - (2*sum(p*y) + smooth) / (sum(p) + sum(y) + smooth))}, i.e. per image:
 * {@code H*W * (mean pixel BCE + diceWeight * Dice loss)}. The Dice term is computed over the whole minibatch (the
 * 2D view no longer says where one image ends), which also keeps it well defined for images without polyp.
 * A label mask (per row, or per row and column) excludes pixels from both terms.
 *
 * <p>With a sigmoid activation the BCE is computed from the logits ({@code max(z,0) - z*y + log(1+e^-|z|)}) and its
 * gradient is {@code p - y}, both numerically stable.
 */
public class BceDiceLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;
    private static final double CLIP = 1e-7;

    private double diceWeight = 1.0;
    private double smooth = 1.0;

    public BceDiceLoss() {
    }

    public BceDiceLoss(double diceWeight, double smooth) {
        this.diceWeight = diceWeight;
        this.smooth = smooth;
    }

    public double getDiceWeight() {
        return diceWeight;
    }

    public void setDiceWeight(double diceWeight) {
        this.diceWeight = diceWeight;
    }

    public double getSmooth() {
        return smooth;
    }

    public void setSmooth(double smooth) {
        this.smooth = smooth;
    }

    /** Per-row BCE (summed over columns) and the batch Dice statistics. */
    private record Terms(INDArray p, INDArray bceRows, INDArray weight, double intersection, double predSum,
                         double labelSum, double activeRows) {
        double diceLoss(double smooth) {
            return 1.0 - (2 * intersection + smooth) / (predSum + labelSum + smooth);
        }
    }

    private Terms terms(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (!labels.equalShapes(preOutput)) {
            throw new IllegalArgumentException("labels shape " + java.util.Arrays.toString(labels.shape())
                    + " differs from output shape " + java.util.Arrays.toString(preOutput.shape()));
        }
        INDArray z = preOutput.castTo(labels.dataType());
        INDArray p = activationFn.getActivation(z.dup(), true);
        INDArray bce;
        if (activationFn instanceof ActivationSigmoid) {
            // max(z,0) - z*y + log(1 + exp(-|z|))
            bce = Transforms.relu(z, true).subi(z.mul(labels))
                    .addi(Transforms.log(Transforms.exp(Transforms.abs(z, true).negi(), false).addi(1.0), false));
        } else {
            INDArray pc = Transforms.max(Transforms.min(p, 1 - CLIP, true), CLIP, false);
            bce = Transforms.log(pc, true).muli(labels)
                    .addi(Transforms.log(pc.rsub(1.0), false).muli(labels.rsub(1.0))).negi();
        }
        INDArray weight = weight(mask, labels);
        if (weight != null) {
            bce.muli(weight);
        }
        INDArray pw = weight == null ? p : p.mul(weight);
        INDArray yw = weight == null ? labels : labels.mul(weight);
        double inter = pw.mul(labels).sumNumber().doubleValue();
        double predSum = pw.sumNumber().doubleValue();
        double labelSum = yw.sumNumber().doubleValue();
        double active;
        if (mask == null) {
            active = labels.size(0);
        } else {
            INDArray rowActive = mask.rank() == 2 && mask.size(1) > 1 ? mask.max(1) : mask;
            active = rowActive.neq(0).castTo(labels.dataType()).sumNumber().doubleValue();
        }
        return new Terms(p, bce.sum(true, 1), weight, inter, predSum, labelSum, active);
    }

    /** The mask broadcast to the labels' shape, or null. */
    private static INDArray weight(INDArray mask, INDArray labels) {
        if (mask == null) {
            return null;
        }
        INDArray m = mask.castTo(labels.dataType());
        if (m.rank() == 1) {
            m = m.reshape(m.length(), 1);
        }
        if (m.equalShapes(labels)) {
            return m;
        }
        if (m.size(0) == labels.size(0) && m.size(1) == 1) {
            return m.repeat(1, labels.size(1));
        }
        throw new IllegalArgumentException("label mask shape " + java.util.Arrays.toString(mask.shape())
                + " fits neither labels " + java.util.Arrays.toString(labels.shape()) + " nor [rows,1]");
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        Terms t = terms(labels, preOutput, activationFn, mask);
        double score = t.bceRows().sumNumber().doubleValue() + diceWeight * t.activeRows() * t.diceLoss(smooth);
        return average ? score / labels.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Terms t = terms(labels, preOutput, activationFn, mask);
        INDArray scores = t.bceRows().dup();
        double dice = diceWeight * t.diceLoss(smooth);
        if (mask == null) {
            scores.addi(dice);
        } else {
            INDArray rowActive = mask.rank() == 2 && mask.size(1) > 1 ? mask.max(1) : mask;
            scores.addi(rowActive.reshape(scores.shape()).neq(0).castTo(scores.dataType()).muli(dice));
        }
        return scores;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return gradient(terms(labels, preOutput, activationFn, mask), labels, preOutput, activationFn);
    }

    private INDArray gradient(Terms t, INDArray labels, INDArray preOutput, IActivation activationFn) {
        INDArray p = t.p();
        double denom = t.predSum() + t.labelSum() + smooth;
        double num = 2 * t.intersection() + smooth;
        // d(R * w * Dice)/dp = -R*w * (2*y*denom - num) / denom^2, restricted to unmasked pixels
        double k = -diceWeight * t.activeRows() / (denom * denom);
        INDArray dDiceDp = labels.mul(2 * denom).subi(num).muli(k);
        if (t.weight() != null) {
            dDiceDp.muli(t.weight());
        }
        INDArray grad;
        if (activationFn instanceof ActivationSigmoid) {
            INDArray dBce = p.sub(labels);
            if (t.weight() != null) {
                dBce.muli(t.weight());
            }
            INDArray sigmoidDeriv = p.rsub(1.0).muli(p);
            grad = dBce.addi(dDiceDp.muli(sigmoidDeriv));
        } else {
            INDArray pc = Transforms.max(Transforms.min(p, 1 - CLIP, true), CLIP, false);
            INDArray dBceDp = pc.sub(labels).divi(pc.mul(pc.rsub(1.0)));
            if (t.weight() != null) {
                dBceDp.muli(t.weight());
            }
            grad = activationFn.backprop(preOutput.castTo(labels.dataType()).dup(), dBceDp.addi(dDiceDp)).getFirst();
        }
        return grad.castTo(preOutput.dataType());
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                         IActivation activationFn, INDArray mask, boolean average) {
        Terms t = terms(labels, preOutput, activationFn, mask);
        double score = t.bceRows().sumNumber().doubleValue() + diceWeight * t.activeRows() * t.diceLoss(smooth);
        if (average) {
            score /= labels.size(0);
        }
        return new Pair<>(score, gradient(t, labels, preOutput, activationFn));
    }

    @Override
    public String name() {
        return "BceDiceLoss";
    }

    @Override
    public String toString() {
        return "BceDiceLoss(diceWeight=" + diceWeight + ", smooth=" + smooth + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BceDiceLoss other && other.diceWeight == diceWeight && other.smooth == smooth;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(diceWeight) * 31 + Double.hashCode(smooth);
    }
}
