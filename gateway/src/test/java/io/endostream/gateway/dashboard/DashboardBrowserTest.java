package io.endostream.gateway.dashboard;

import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.gateway.TestModels;
import io.endostream.gateway.app.GatewayService;
import io.endostream.gateway.app.JwtTestKeys;
import io.endostream.gateway.training.TrainerStandIn;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.StaleElementReferenceException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard and the live viewer in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * driven by Selenium; nothing is downloaded at run time) against the gateway on a real broker: frames and masks
 * published with the contracts' codecs are drawn with their overlay on the viewer's canvas, and an operator's click
 * changes the rollout state the dashboard shows. Saves screenshots to {@code target/screenshots/} (copy them to {@code docs/} by hand when the page changes).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(JwtTestKeys.class)
@WithTestResource(TrainerStandIn.class)
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String STREAM = "browser-room-1";
    static final String DEPLOYMENT = "browser";
    static final String INSTANCE = "inf-browser-test";
    static final int W = 320;
    static final int H = 256;

    @TestHTTPResource("/dashboard/viewer.html")
    URL viewerPage;

    @TestHTTPResource("/dashboard/index.html")
    URL dashboardPage;

    @Inject
    GatewayService service;

    @Test
    void theViewerDrawsFramesWithTheirMaskAndAnOperatorsPauseShowsOnTheDashboard() throws Exception {
        // outside the dev profile there is no token endpoint
        given().when().get("/dev/token?role=operator").then().statusCode(404);
        given().when().head("/dev/token").then().statusCode(404);
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: /usr/bin/chromium and /usr/bin/chromedriver are missing; install Debian's "
                        + "packages with: apt-get install -y chromium chromium-driver");
        String operator = JwtTestKeys.token("oscar", "operator");
        setUpRollout(operator);

        // a simulated endoscope: frames (JPEG) and their true masks (1-bit PNG), as inference-service would publish
        List<byte[]> jpegs = new ArrayList<>();
        List<byte[]> masks = new ArrayList<>();
        List<byte[]> shadows = new ArrayList<>();
        List<boolean[]> insides = new ArrayList<>();
        try (EndoscopySimulator sim = new EndoscopySimulator(7, W, H)) {
            for (int i = 0; jpegs.size() < 5 && i < 500; i++) {
                try (SimulatedFrame f = sim.frame(i)) {
                    boolean[] inside = inside(f.maskPng());
                    if (interior(inside).length == 2 && interiorCount(inside) > 400) {
                        jpegs.add(f.jpeg(90));
                        masks.add(oneBitPng(inside));
                        shadows.add(oneBitPng(shifted(inside, 12)));
                        insides.add(inside);
                    }
                }
            }
        }
        assertEquals(5, jpegs.size(), "the simulator shows polyps in some frames");

        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> publish(publishing, jpegs, masks, shadows), "test-publisher");
        publisher.setDaemon(true);
        publisher.start();
        WebDriver driver = startChromium();
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
            // The pages re-render on every pushed update: an element found a moment ago may be replaced before it
            // is read, so a wait looks again instead of failing.
            wait.ignoring(StaleElementReferenceException.class);
            JavascriptExecutor js = (JavascriptExecutor) driver;

            // ---- live viewer: sign in by pasting the token, pick the stream from those seen on the mask topic
            driver.get(viewerPage.toString());
            driver.findElement(By.id("token-input")).sendKeys(operator);
            driver.findElement(By.id("token-use")).click();
            wait.until(d -> d.findElement(By.id("user")).getText().contains("oscar"));
            wait.until(d -> !d.findElements(By.cssSelector("#stream-select option[value='" + STREAM + "']")).isEmpty());
            js.executeScript("const s = document.getElementById('stream-select'); s.value = arguments[0];"
                    + "s.dispatchEvent(new Event('change'));", STREAM);
            wait.until(d -> ((Number) js.executeScript("return window.viewerStats.drawn")).intValue() > 0);
            wait.until(d -> ((Number) js.executeScript("return window.viewerStats.shadowDrawn")).intValue() > 0);
            assertTrue(wait.until(d -> d.findElement(By.id("shadow-figures")).getText()).contains("polyp-unet:web-2"));

            // the canvas holds the frame with the mask tinted green: read it back and compare with the frame itself
            @SuppressWarnings("unchecked")
            Map<String, Object> drawn = (Map<String, Object>) js.executeScript("""
                    const c = document.getElementById('primary');
                    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    return {w: c.width, h: c.height, seq: window.viewerStats.lastHeader.sequence,
                            pixels: Array.from(px)};""");
            assertEquals(W, ((Number) drawn.get("w")).intValue());
            assertEquals(H, ((Number) drawn.get("h")).intValue());
            int index = (int) (((Number) drawn.get("seq")).longValue() % jpegs.size());
            BufferedImage frame = ImageIO.read(new ByteArrayInputStream(jpegs.get(index)));
            @SuppressWarnings("unchecked")
            List<Number> pixels = (List<Number>) drawn.get("pixels");
            boolean[] inside = insides.get(index);
            long greener = 0;
            long insideCount = 0;
            long outsideSame = 0;
            long outsideCount = 0;
            for (int y = 1; y < H - 1; y++) {
                for (int x = 1; x < W - 1; x++) {
                    int i = y * W + x;
                    int g = pixels.get(i * 4 + 1).intValue();
                    int frameG = (frame.getRGB(x, y) >> 8) & 0xFF;
                    if (interiorAt(inside, x, y)) {
                        insideCount++;
                        // the page blends green (0,255,80) at alpha 110/255 over the frame
                        double expected = frameG + (255 - frameG) * 110 / 255.0;
                        greener += Math.abs(g - expected) <= 20 ? 1 : 0;
                    } else if (!nearMask(inside, x, y)) {
                        outsideCount++;
                        outsideSame += Math.abs(g - frameG) <= 16 ? 1 : 0;
                    }
                }
            }
            assertTrue(greener > insideCount * 0.95, "the mask's interior is tinted: " + greener + " of " + insideCount);
            assertTrue(outsideSame > outsideCount * 0.95, "outside the mask the frame shows as it is: " + outsideSame
                    + " of " + outsideCount);
            String figures = wait.until(d -> d.findElement(By.id("primary-figures")).getText());
            assertTrue(figures.contains("polyp-unet:web-1") && figures.contains("end-to-end 42.0 ms")
                    && figures.contains("polyp area"), figures);
            screenshot(driver, Path.of("target/screenshots/viewer.jpg"));

            // ---- dashboard: same tab, same token; the operator pauses the canary and the page shows it
            driver.get(dashboardPage.toString());
            wait.until(d -> "canary".equals(d.findElement(By.id("phase-" + DEPLOYMENT)).getText()));
            wait.until(d -> ((Number) js.executeScript("return window.dashboardStats.points")).intValue() >= 2);
            wait.until(d -> {
                d.findElement(By.cssSelector("[data-deployment='" + DEPLOYMENT + "'] button[data-action='pause']"))
                        .click();
                return true;
            });
            wait.until(d -> "paused".equals(d.findElement(By.id("phase-" + DEPLOYMENT)).getText()));
            wait.until(d -> d.findElements(By.cssSelector("#audit .audit-action")).stream()
                    .anyMatch(e -> e.getText().equals("pause")));
            assertEquals("paused", given().auth().oauth2(operator).when().get("/api/deployments/" + DEPLOYMENT)
                    .then().statusCode(200).extract().path("status.phase"));
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1500));
            screenshot(driver, Path.of("target/screenshots/dashboard.png"));

            // ---- training panel (a stand-in trainer): jobs with progress, a job's curve and sample grid, and
            // "Register model" puts the job's model into the registry, where the models table shows it
            By browserJob = By.cssSelector("#training-jobs tr[data-job='job-browser']");
            wait.until(d -> !d.findElements(browserJob).isEmpty());
            wait.until(d -> {
                d.findElement(browserJob).click();
                return true;
            });
            wait.until(d -> ((Number) js.executeScript(
                    "return Chart.getChart('chart-training').data.datasets.length")).intValue() == 3);
            wait.until(d -> ((Number) js.executeScript(
                    "return document.getElementById('training-samples').naturalWidth")).intValue() == 96);
            wait.until(d -> {
                d.findElement(By.cssSelector("tr[data-job='job-browser'] button[data-action='register']")).click();
                return true;
            });
            String registered = wait.until(d -> {
                String text = d.findElement(By.id("training-result")).getText();
                return text.isEmpty() || text.startsWith("registering") ? null : text;
            });
            assertTrue(registered.contains("registered polyp-unet:" + TrainerStandIn.BROWSER_VERSION), registered);
            wait.until(d -> d.findElements(By.cssSelector("#models td")).stream()
                    .anyMatch(e -> e.getText().equals("polyp-unet:" + TrainerStandIn.BROWSER_VERSION)));
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
            js.executeScript("document.getElementById('training').scrollIntoView()");
            screenshot(driver, Path.of("target/screenshots/training.png"));
        } finally {
            publishing.set(false);
            driver.quit();
            publisher.join(10_000);
        }
    }

    @AfterAll
    static void forgetTheTestInstance() throws Exception {
        // the other API tests judge rollouts on the telemetry of every instance: leave none behind
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY, INSTANCE.getBytes(StandardCharsets.UTF_8), null)).get();
        }
    }

    private void setUpRollout(String operator) throws Exception {
        for (String version : List.of("web-1", "web-2")) {
            Path manifest = Files.createTempFile("manifest", ".json");
            Files.writeString(manifest, TestModels.manifestJson(version));
            given().auth().oauth2(operator).multiPart("manifest", manifest.toFile(), "application/json")
                    .multiPart("model", TestModels.ONNX.toFile(), "application/octet-stream")
                    .when().post("/api/models").then().statusCode(201);
        }
        given().auth().oauth2(operator).contentType(ContentType.JSON)
                .body("{\"model\":\"polyp-unet:web-1\",\"reason\":\"browser test\"}")
                .when().put("/api/deployments/" + DEPLOYMENT + "/stable").then().statusCode(200);
        given().auth().oauth2(operator).contentType(ContentType.JSON)
                // gates the test never meets: the analysis waits and only the operator changes the state
                .body("{\"candidate\":\"polyp-unet:web-2\",\"steps\":[10,50,100],\"reason\":\"browser test\","
                        + "\"gates\":{\"minFrames\":1000000,\"maxErrorRate\":0.01,\"maxP99Ms\":0,\"maxP99Ratio\":1.5,"
                        + "\"minShadowFrames\":1000000,\"minShadowDice\":0.7,\"minShadowIou\":0}}")
                .when().post("/api/deployments/" + DEPLOYMENT + "/rollout").then().statusCode(200);
    }

    /** Publishes frames and masks (5 per second) and cumulative telemetry until told to stop (at most 3 minutes). */
    private static void publish(AtomicBoolean publishing, List<byte[]> jpegs, List<byte[]> masks,
                                List<byte[]> shadows) {
        Instant started = Instant.now();
        String startedAt = started.toString();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long seq = 0; publishing.get() && Instant.now().isBefore(started.plusSeconds(180)); seq++) {
                int i = (int) (seq % jpegs.size());
                long now = System.currentTimeMillis();
                String frameId = "browser-frame-" + seq;
                send(producer, Topics.FRAMES, FrameCodec.encode(new Frame(STREAM, frameId, seq, now, ImageFormat.JPEG,
                        0, 0, jpegs.get(i))));
                send(producer, Topics.MASKS, MaskCodec.encode(new Mask(STREAM, frameId, seq, now, "polyp-unet", "web-1",
                        6.5, 42, 0.05, List.of(), W, H, masks.get(i))));
                send(producer, Topics.MASKS_SHADOW, MaskCodec.encodeShadow(new Mask(STREAM, frameId, seq, now,
                        "polyp-unet", "web-2", 7.5, 55, 0.049, List.of(), W, H, shadows.get(i)), "polyp-unet:web-1"));
                if (seq % 5 == 0) {
                    long n = seq + 1;
                    InstanceTelemetry t = new InstanceTelemetry(INSTANCE, DEPLOYMENT, startedAt, Instant.now().toString(),
                            1, false, List.of(stats("web-1", n * 20, 15 + (seq % 3) * 10, n / 5, n / 40, 0, 0),
                            stats("web-2", n * 2, 20, 0, 0, n * 3, n * 3 * 0.9)));
                    producer.send(new ProducerRecord<>(Topics.TELEMETRY, INSTANCE.getBytes(StandardCharsets.UTF_8),
                            ControlJson.write(t)));
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static InstanceTelemetry.VersionStats stats(String version, long masks, double latencyMs, long skipped, long dlq,
                                                long shadowFrames, double diceSum) {
        long[] counts = new long[InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1];
        counts[InstanceTelemetry.latencyBucket(latencyMs)] = masks * 9 / 10;
        counts[InstanceTelemetry.latencyBucket(latencyMs * 2.5)] = masks - masks * 9 / 10;
        return new InstanceTelemetry.VersionStats(new ModelRef("polyp-unet", version), masks + dlq, masks, dlq, 0,
                skipped, counts, latencyMs, latencyMs * 2.5, shadowFrames, 0, diceSum, diceSum * 0.85, 0);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, WireRecord r) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, r.key(), r.value());
        r.headers().forEach((k, v) -> record.headers().add(new RecordHeader(k, v)));
        producer.send(record);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBrokerTestResource.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static WebDriver startChromium() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile = Files.createTempDirectory("chromium-profile");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** PNG for the dashboard (flat colours, small); JPEG for the viewer (a photo, large as PNG). */
    private static void screenshot(WebDriver driver, Path to) throws Exception {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(to.getParent());
        if (to.toString().endsWith(".jpg")) {
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
            BufferedImage rgb = new BufferedImage(shot.getWidth(), shot.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(shot, 0, 0, null);
            ImageIO.write(rgb, "jpg", to.toFile());
        } else {
            Files.write(to, png);
        }
    }

    // ---- masks ----------------------------------------------------------------------------------------------
    private static boolean[] inside(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        boolean[] in = new boolean[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                in[y * W + x] = (img.getRGB(x, y) & 0xFF) > 127;
            }
        }
        return in;
    }

    /** The contract's mask: a 1-bit grayscale PNG, white = polyp. */
    private static byte[] oneBitPng(boolean[] inside) throws Exception {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.setRGB(x, y, inside[y * W + x] ? 0xFFFFFF : 0);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static boolean[] shifted(boolean[] in, int dx) {
        boolean[] out = new boolean[in.length];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                out[y * W + x] = at(in, x - dx, y);
            }
        }
        return out;
    }

    private static boolean at(boolean[] in, int x, int y) {
        return x >= 0 && y >= 0 && x < W && y < H && in[y * W + x];
    }

    /** Inside the mask and 2 pixels away from its outline (the outline is drawn in another colour). */
    private static boolean interiorAt(boolean[] in, int x, int y) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                if (!at(in, x + dx, y + dy)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean nearMask(boolean[] in, int x, int y) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
                if (at(in, x + dx, y + dy)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int interiorCount(boolean[] in) {
        int n = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                n += interiorAt(in, x, y) ? 1 : 0;
            }
        }
        return n;
    }

    private static int[] interior(boolean[] in) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (interiorAt(in, x, y)) {
                    return new int[]{x, y};
                }
            }
        }
        return new int[0];
    }
}
