package io.endostream.trainer.bench;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.endostream.trainer.export.OnnxExporter;
import io.endostream.trainer.model.Dl4jNative;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.SyntheticDisks;
import io.endostream.trainer.model.UNetConfig;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of the MobileNetV2 U-Net in DL4J against the machine's measured matmul peak (run by hand, not a
 * test). Arguments ({@code key=value}, all optional):
 * <ul>
 *   <li>{@code sizes=128,256} input sizes; {@code batch=8}; {@code iters=5} timed iterations; {@code warmup=2}</li>
 *   <li>{@code alpha=0.35}, {@code decoder=16}</li>
 *   <li>{@code natives=onednn|plain}: which nd4j-native build to load (default: onednn when its jar is on the
 *       classpath, see {@link Dl4jNative}); {@code layerHelpers=true|false}: DL4J's oneDNN layer helpers (default
 *       true); {@code cache=DEVICE|NONE}: DL4J CacheMode of every layer (default DEVICE, the model's own).
 *       {@code natives=plain layerHelpers=false cache=NONE} reproduces the DL4J defaults ("before").</li>
 *   <li>{@code threads=N}: ND4J max threads (default: ND4J's own choice; OMP_NUM_THREADS / OMP_WAIT_POLICY are read
 *       from the environment)</li>
 *   <li>{@code ort=true|false}: also time ONNX Runtime inference of the exported net</li>
 *   <li>{@code profile=true}: after the timed iterations, where the step goes: ND4J's op profiler over
 *       {@code iters} more iterations (the ops that took most time, per iteration), the bytes of every layer
 *       activation of one step against the machine's measured streaming bandwidth (the floor a step cannot beat
 *       without fusing ops), and the data pipeline (OpenCV augmentation + tensor building of one batch, which the
 *       fine-tuner does on the training thread)</li>
 * </ul>
 * Prints images/s, GFLOP/s (training = 3 x forward FLOPs counted from layer shapes), the same-process peak (best of
 * ND4J sgemm 2048^3 and ONNX Runtime MatMul 2048^3) and the share of peak.
 */
public final class TrainingThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("argument '" + a + "' is not key=value");
            }
            opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        // must happen before the first ND4J class loads: the native build is chosen then
        if (opt.containsKey("natives")) {
            System.setProperty("org.bytedeco.javacpp.platform.extension",
                    "plain".equals(opt.get("natives")) ? "" : "-" + opt.get("natives"));
        }
        if (opt.containsKey("layerHelpers")) {
            System.setProperty("org.eclipse.deeplearning4j.helpers.disable",
                    String.valueOf(!Boolean.parseBoolean(opt.get("layerHelpers"))));
        }
        Dl4jNative.configure();
        CacheMode cache = CacheMode.valueOf(opt.getOrDefault("cache", "DEVICE"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "8"));
        int iters = Integer.parseInt(opt.getOrDefault("iters", "5"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "2"));
        double alpha = Double.parseDouble(opt.getOrDefault("alpha", "0.35"));
        int decoder = Integer.parseInt(opt.getOrDefault("decoder", "16"));
        boolean ort = Boolean.parseBoolean(opt.getOrDefault("ort", "true"));
        if (opt.containsKey("periodicGc")) {
            Nd4j.getMemoryManager().togglePeriodicGc(Boolean.parseBoolean(opt.get("periodicGc")));
        }
        System.out.println("periodic GC: " + Nd4j.getMemoryManager().isPeriodicGcActive());
        if (opt.containsKey("threads")) {
            Nd4j.getEnvironment().setMaxThreads(Integer.parseInt(opt.get("threads")));
            Nd4j.getEnvironment().setMaxMasterThreads(Integer.parseInt(opt.get("threads")));
        }
        List<Integer> sizes = new ArrayList<>();
        for (String s : opt.getOrDefault("sizes", "128,256").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }

        System.out.println("== EndoStream training throughput benchmark ==");
        System.out.println("load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim()
                + ", cores: " + Runtime.getRuntime().availableProcessors());
        System.out.println("nd4j: " + Nd4j.getExecutioner().getClass().getSimpleName()
                + ", blas " + Nd4j.getEnvironment().blasMajorVersion() + "." + Nd4j.getEnvironment().blasMinorVersion()
                + "." + Nd4j.getEnvironment().blasPatchVersion()
                + ", maxThreads " + Nd4j.getEnvironment().maxThreads()
                + ", native build linux-x86_64" + System.getProperty("org.bytedeco.javacpp.platform.extension", "")
                + ", DL4J oneDNN layer helpers " + Dl4jNative.oneDnnHelpersActive()
                + ", CacheMode " + cache
                + ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS")
                + ", OMP_WAIT_POLICY=" + System.getenv("OMP_WAIT_POLICY"));

        double nd4jPeak = nd4jGemmGflops(2048, 5);
        double ortPeak = ort ? ortMatMulGflops(2048, 5) : 0;
        double peak = Math.max(nd4jPeak, ortPeak);
        System.out.printf(Locale.ROOT, "peak: ND4J sgemm 2048^3 %.1f GFLOP/s, ONNX Runtime MatMul 2048^3 %.1f GFLOP/s"
                + " -> peak %.1f GFLOP/s%n", nd4jPeak, ortPeak, peak);

        for (int size : sizes) {
            UNetConfig cfg = UNetConfig.defaults().withInputSize(size).withWidthMultiplier(alpha)
                    .withDecoderWidth(decoder);
            long fwd = MobileNetV2UNet.forwardFlops(cfg);
            ComputationGraphConfiguration conf = MobileNetV2UNet.configuration(cfg, MobileNetV2UNet.Head.SEGMENTATION);
            for (GraphVertex v : conf.getVertices().values()) {
                if (v instanceof LayerVertex lv) {
                    lv.getLayerConf().setCacheMode(cache);
                }
            }
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            MultiDataSet data = SyntheticDisks.batch(batch, size, 7);
            for (int i = 0; i < warmup; i++) {
                net.fit(data);
            }
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                net.fit(data);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            double cpuSec = (os.getProcessCpuTime() - cpu0) / 1e9;
            double imgs = batch * iters / sec;
            double trainGflops = 3.0 * fwd * imgs / 1e9;
            System.out.printf(Locale.ROOT, "train %dx%d batch %d: %.2f s/iter (process CPU %.2f s/iter), %.2f images/s,"
                            + " %.2f GFLOP/s (forward %.3f GFLOP/image, x3), %.2f%% of peak; params %d, score %.4f%n",
                    size, size, batch, sec / iters, cpuSec / iters, imgs, trainGflops, fwd / 1e9,
                    100 * trainGflops / peak, net.numParams(), net.score());

            if (Boolean.parseBoolean(opt.getOrDefault("profile", "false"))) {
                profile(net, data, iters, sec / iters, cpuSec / iters, size, batch);
            }

            INDArray x = data.getFeatures(0);
            net.output(false, x);
            long t1 = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                net.output(false, x);
            }
            double fsec = (System.nanoTime() - t1) / 1e9;
            double fimgs = batch * iters / fsec;
            System.out.printf(Locale.ROOT, "dl4j forward %dx%d batch %d: %.2f images/s, %.2f GFLOP/s, %.2f%% of peak%n",
                    size, size, batch, fimgs, fwd * fimgs / 1e9, 100 * fwd * fimgs / 1e9 / peak);

            if (ort) {
                byte[] onnx = OnnxExporter.toOnnx(net, size, size, 3);
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                     OrtSession session = env.createSession(onnx, so)) {
                    float[] in = x.dup('c').reshape(x.length()).toFloatVector();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), x.shape())) {
                        Map<String, OnnxTensor> feed = Map.of("input", t);
                        session.run(feed).close();
                        long t2 = System.nanoTime();
                        for (int i = 0; i < iters; i++) {
                            session.run(feed).close();
                        }
                        double osec = (System.nanoTime() - t2) / 1e9;
                        double oimgs = batch * iters / osec;
                        System.out.printf(Locale.ROOT, "onnxruntime forward %dx%d batch %d: %.2f images/s, %.2f"
                                + " GFLOP/s, %.2f%% of peak%n", size, size, batch, oimgs, fwd * oimgs / 1e9,
                                100 * fwd * oimgs / 1e9 / peak);
                    }
                }
            }
        }
        System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Op profile, activation bytes vs streaming bandwidth, data-pipeline cost (see the class comment). */
    static void profile(ComputationGraph net, MultiDataSet data, int iters, double secPerIter, double cpuPerIter,
                        int size, int batch) {
        org.nd4j.linalg.profiler.OpProfiler prof = org.nd4j.linalg.profiler.OpProfiler.getInstance();
        // per-op wall time of every op over 100 us (ND4J's threshold); op counts cover every op
        Nd4j.getExecutioner().setProfilingConfig(org.nd4j.linalg.profiler.ProfilerConfig.builder()
                .checkElapsedTime(true).build());
        prof.reset();
        for (int i = 0; i < iters; i++) {
            net.fit(data);
        }
        Nd4j.getExecutioner().setProfilingConfig(org.nd4j.linalg.profiler.ProfilerConfig.builder().build());
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true));
        try {
            prof.printOutDashboard();
        } finally {
            System.setOut(old);
        }
        // "CustomOp batchnorm_bp (id)  >>>  perc: 30.2 Time spent: 1354 ms": the last table of the dashboard
        java.util.regex.Pattern row = java.util.regex.Pattern.compile(
                "^\\w+ (\\w+) \\(-?\\d+\\)\\s+>>>\\s+perc: ([\\d.]+) Time spent: (\\d+) ms");
        System.out.printf(Locale.ROOT, "op profile over %d iterations (total op calls %d, %.0f per iteration):%n",
                iters, prof.getInvocationsCount(), prof.getInvocationsCount() / (double) iters);
        double opMs = 0;
        List<String> lines = new ArrayList<>();
        for (String line : buf.toString().split("\\R")) {
            java.util.regex.Matcher m = row.matcher(line.trim());
            if (m.find()) {
                double ms = Double.parseDouble(m.group(3)) / iters;
                opMs += ms;
                if (lines.size() < 10) {
                    lines.add(String.format(Locale.ROOT, "  %-22s %7.1f ms/iter (%s %%)", m.group(1), ms, m.group(2)));
                }
            }
        }
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "  ops over 100 us: %.0f ms/iter of %.0f ms/iter wall (%.0f ms process CPU)%n",
                opMs, secPerIter * 1000, cpuPerIter * 1000);

        // activation bytes of one step: every layer output of the forward pass (backprop reads them and writes a
        // gradient of the same size, so a step streams them several times)
        long bytes = 0;
        for (INDArray a : net.feedForward(data.getFeatures(0), true).values()) {
            bytes += a.length() * a.dataType().width();
        }
        INDArray big = Nd4j.rand(DataType.FLOAT, 16, 1024, 1024);
        INDArray dst = Nd4j.create(DataType.FLOAT, 16, 1024, 1024);
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            long t = System.nanoTime();
            dst.assign(big);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        double gbs = 2.0 * big.length() * 4 / best / 1e9; // read + write
        double onePass = bytes / (gbs * 1e9);
        System.out.printf(Locale.ROOT, "activations of one forward pass: %.1f MB; streaming bandwidth (ND4J assign"
                        + " 64 MB) %.1f GB/s -> one read+write pass over them %.0f ms; the step costs %.0f such passes%n",
                bytes / 1e6, gbs, 2 * onePass * 1000, secPerIter / (2 * onePass));

        // the data pipeline the fine-tuner runs on the training thread: augmentation + tensors of one batch
        java.util.Random r = new java.util.Random(3);
        List<io.endostream.trainer.dataset.Sample> samples = new ArrayList<>();
        for (int i = 0; i < batch * 4; i++) {
            byte[] bgr = new byte[size * size * 3];
            byte[] mask = new byte[size * size];
            r.nextBytes(bgr);
            for (int p = 0; p < mask.length; p++) {
                mask[p] = (byte) (p % size < size / 2 ? 1 : 0);
            }
            samples.add(new io.endostream.trainer.dataset.Sample("s" + i, size, bgr, mask));
        }
        io.endostream.trainer.dataset.SegmentationIterator it = new io.endostream.trainer.dataset.SegmentationIterator(
                samples, batch, true, io.endostream.trainer.dataset.Augmentation.standard(), 1);
        it.next();
        long t = System.nanoTime();
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        System.out.printf(Locale.ROOT, "data pipeline (augmentation + tensors) %dx%d batch %d: %.1f ms per batch%n",
                size, size, batch, (System.nanoTime() - t) / 1e6 / n);
    }

    static double nd4jGemmGflops(int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    static double ortMatMulGflops(int n, int reps) throws Exception {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(n))
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(n));
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("matmul")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("a").setType(type))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("b").setType(type))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("c").setType(type))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b").addOutput("c"));
        byte[] model = Onnx.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] data = new float[n * n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat();
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(model, so);
             OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[]{n, n});
             OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[]{n, n})) {
            Map<String, OnnxTensor> feed = Map.of("a", a, "b", b);
            s.run(feed).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < reps; i++) {
                long t = System.nanoTime();
                s.run(feed).close();
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }
}
