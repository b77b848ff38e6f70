package org.civiccredit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import jdk.jfr.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {

    @Test
    void cpuModeWritesSettingsThatJfrReadsWithMillisecondSamples(@TempDir Path dir) throws Exception {
        new Profiler(Map.of("self", ProcessHandle.current().pid()), dir, "cpu");
        Configuration c = Configuration.create(dir.resolve("cpu-samples.jfc"));
        assertEquals("1 ms", c.getSettings().get("jdk.ExecutionSample#period"));
        assertEquals("true", c.getSettings().get("jdk.ExecutionSample#enabled"));
    }

    @Test
    void refusesAnUnknownMode(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> new Profiler(Map.of("self", 1L), dir, "yes"));
    }
}
