package io.endostream.gateway.viewer;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamDirectoryTest {

    @Test
    void listsStreamsSortedCountsMasksAndExpiresIdleOnes() {
        StreamDirectory d = new StreamDirectory(10, Duration.ofSeconds(60));
        d.saw("room-2", "polyp-unet:1", 40, 0.1, 1000);
        d.saw("room-1", "polyp-unet:1", 41, 0.0, 2000);
        d.saw("room-2", "polyp-unet:2", 42, 0.2, 3000);
        var list = d.list(3000);
        assertEquals("room-1", list.get(0).streamId());
        assertEquals(2, list.get(1).masks());
        assertEquals("polyp-unet:2", list.get(1).model());
        assertTrue(d.contains("room-1", 62_000));
        assertFalse(d.contains("room-1", 62_001));
        assertEquals(1, d.list(62_001).size());
    }

    @Test
    void boundedByDroppingTheLeastRecentlySeen() {
        StreamDirectory d = new StreamDirectory(3, Duration.ofMinutes(1));
        for (int i = 0; i < 1000; i++) {
            d.saw("s" + i, "m:1", 1, 0, i);
        }
        assertEquals(3, d.size());
        assertEquals(java.util.List.of("s997", "s998", "s999"),
                d.list(1000).stream().map(StreamDirectory.StreamInfo::streamId).toList());
    }
}
