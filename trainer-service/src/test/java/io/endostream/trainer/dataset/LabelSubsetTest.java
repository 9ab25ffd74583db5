package io.endostream.trainer.dataset;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelSubsetTest {

    private static List<KvasirSegDataset.Pair> pairs(int n) {
        List<KvasirSegDataset.Pair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("f%04d", i);
            out.add(new KvasirSegDataset.Pair(id, Path.of(id + ".jpg"), Path.of(id + ".png")));
        }
        return out;
    }

    private static Set<String> ids(List<KvasirSegDataset.Pair> ps) {
        Set<String> s = new HashSet<>();
        ps.forEach(p -> s.add(p.id()));
        return s;
    }

    @Test
    void subsetsOfOneSeedAreNestedAndSized() {
        List<KvasirSegDataset.Pair> train = pairs(200);
        Set<String> previous = Set.of();
        for (double f : new double[]{0.05, 0.1, 0.25, 0.5, 1.0}) {
            Set<String> now = ids(LabelSubset.select(train, f, 0, 3));
            assertEquals(Math.round(200 * f), now.size(), "fraction " + f);
            assertTrue(now.containsAll(previous), "fraction " + f + " must contain the smaller subset");
            previous = now;
        }
        assertEquals(ids(train), previous);
    }

    @Test
    void theSubsetDependsOnTheSeedAndIdsNotOnListOrder() {
        List<KvasirSegDataset.Pair> train = pairs(100);
        List<KvasirSegDataset.Pair> reversed = new ArrayList<>(train);
        java.util.Collections.reverse(reversed);
        assertEquals(ids(LabelSubset.select(train, 0.1, 0, 5)), ids(LabelSubset.select(reversed, 0.1, 0, 5)));
        assertNotEquals(ids(LabelSubset.select(train, 0.1, 0, 5)), ids(LabelSubset.select(train, 0.1, 0, 6)));
    }

    @Test
    void aCountWinsOverTheFractionAndBadValuesAreErrors() {
        List<KvasirSegDataset.Pair> train = pairs(50);
        assertEquals(7, LabelSubset.select(train, 0.5, 7, 1).size());
        assertTrue(ids(LabelSubset.select(train, 0, 12, 1)).containsAll(ids(LabelSubset.select(train, 0, 7, 1))));
        assertThrows(IllegalArgumentException.class, () -> LabelSubset.select(train, 0, 51, 1));
        assertThrows(IllegalArgumentException.class, () -> LabelSubset.select(train, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> LabelSubset.select(train, 1.5, 0, 1));
    }
}
