package org.civiccredit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachineFactsTest {

    @Test
    void showsWhichCpusEachProcessMayRunOn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset")), "taskset (util-linux) is needed");
        String driver = Files.readString(Path.of("/proc/self/status")).lines()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).trim();
        // taskset execs sleep, so the child's pid is the pinned process's.
        Process pinned = new ProcessBuilder("taskset", "-c", "0", "sleep", "30").start();
        try {
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("pinned", pinned.pid());
            pids.put("gone", Long.MAX_VALUE);
            String facts = "";
            for (int i = 0; i < 50 && !facts.contains("pinned 0,"); i++) {
                facts = MachineFacts.cpusAllowed(pids);
                Thread.sleep(20);
            }
            assertEquals("driver " + driver + "; pinned 0, gone unknown", facts);
        } finally {
            pinned.destroy();
        }
    }
}
