package io.endostream.gateway.viewer;

import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairMatcherTest {

    static Frame frame(String stream, long seq) {
        return new Frame(stream, stream + "-" + seq, seq, 1000 + seq, ImageFormat.JPEG, 0, 0, new byte[]{1});
    }

    static Mask mask(String stream, long seq, String version) {
        return new Mask(stream, stream + "-" + seq, seq, 1000 + seq, "polyp-unet", version, 5, 40, 0.1, List.of(), 4, 4,
                new byte[]{2});
    }

    @Test
    void joinsByFrameIdWhicheverComesFirst() {
        PairMatcher m = new PairMatcher(4, 8);
        assertEquals(List.of(), m.onFrame(frame("a", 1)));
        List<PairMatcher.Pair> pairs = m.onMask(mask("a", 1, "1"));
        assertEquals(1, pairs.size());
        assertEquals("a-1", pairs.get(0).frame().frameId());
        assertNull(pairs.get(0).shadow());

        assertEquals(List.of(), m.onMask(mask("a", 2, "1")));
        pairs = m.onFrame(frame("a", 2));
        assertEquals(1, pairs.size());
        assertEquals(2, pairs.get(0).mask().sequence());
    }

    @Test
    void aShadowMaskArrivingLaterIsEmittedAsAnUpdateOnceAndOneArrivingFirstRidesWithThePair() {
        PairMatcher m = new PairMatcher(4, 8);
        m.onFrame(frame("a", 1));
        m.onMask(mask("a", 1, "1"));
        List<PairMatcher.Pair> update = m.onShadow(mask("a", 1, "2"));
        assertEquals(1, update.size());
        assertTrue(update.get(0).shadowUpdate());
        assertEquals("2", update.get(0).shadow().modelVersion());
        assertEquals(List.of(), m.onShadow(mask("a", 1, "2")), "a redelivered shadow mask is not sent twice");

        m.onShadow(mask("a", 2, "2"));
        m.onFrame(frame("a", 2));
        List<PairMatcher.Pair> pair = m.onMask(mask("a", 2, "1"));
        assertEquals(1, pair.size());
        assertEquals("2", pair.get(0).shadow().modelVersion());
        assertTrue(!pair.get(0).shadowUpdate());
    }

    @Test
    void latestWinsFramesWithoutMasksBeforeAPairedOneAreForgottenAndOlderPairsAreDropped() {
        PairMatcher m = new PairMatcher(4, 8);
        m.onFrame(frame("a", 1)); // skipped by inference: never gets a mask
        m.onFrame(frame("a", 2));
        m.onFrame(frame("a", 3));
        assertEquals(1, m.onMask(mask("a", 3, "1")).size());
        assertEquals(1, m.held(), "frames 1 and 2 can never be paired any more");
        assertEquals(List.of(), m.onMask(mask("a", 2, "1")), "older than what is shown");
        assertEquals(1, m.stale());
    }

    @Test
    void memoryIsBoundedPerStreamAndInStreams() {
        PairMatcher m = new PairMatcher(2, 8);
        for (int i = 0; i < 1000; i++) {
            m.onFrame(frame("a", i)); // masks never come (e.g. the stream is dead-lettered)
        }
        assertEquals(8, m.held());
        assertEquals(992, m.evicted());
        for (int s = 0; s < 100; s++) {
            m.onFrame(frame("s" + s, 1));
        }
        assertEquals(2, m.streams());
        m.retain(java.util.Set.of("s99"));
        assertEquals(1, m.streams());
    }

    @Test
    void streamsDoNotMix() {
        PairMatcher m = new PairMatcher(4, 8);
        Frame a = frame("a", 1);
        m.onFrame(a);
        assertEquals(List.of(), m.onMask(mask("b", 1, "1")));
        assertSame(a, m.onMask(mask("a", 1, "1")).get(0).frame());
    }

    @Test
    void viewerMessageCarriesHeaderThenImages() {
        PairMatcher.Pair pair = new PairMatcher.Pair(frame("a", 7), mask("a", 7, "3"), mask("a", 7, "4"), false);
        byte[] message = ViewerMessages.encode(pair, 1050);
        Map<String, Object> h = ViewerMessages.header(message);
        assertEquals("pair", h.get("type"));
        assertEquals("a", h.get("stream"));
        assertEquals(43, ((Number) h.get("serverDelayMs")).intValue());
        assertEquals(1, h.get("frameBytes"));
        assertEquals("4", ((Map<?, ?>) h.get("shadow")).get("version"));
        int headerLength = java.nio.ByteBuffer.wrap(message).getInt();
        assertEquals(4 + headerLength + 3, message.length);
        assertEquals(1, message[4 + headerLength]);
        assertEquals(2, message[4 + headerLength + 1]);
    }

    @Test
    void partitionOfMatchesKafkasDefaultPartitioner() {
        // the producer's BuiltInPartitioner: murmur2 of the key, made positive, modulo the partition count
        assertEquals(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                "room-3".getBytes(java.nio.charset.StandardCharsets.UTF_8), 12), ViewerHub.partitionOf("room-3", 12));
    }
}
