package org.civiccredit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitCompilersTest {

    @TempDir
    Path proc;

    /** A stat line as Linux writes it: the command in parentheses (it may hold spaces), utime and stime 14th and 15th. */
    private static String stat(long id, String comm, long utime, long stime) {
        return id + " (" + comm + ") S 1 1 1 0 -1 4194624 100 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 40 0 12345 0 0\n";
    }

    private void process(long pid, long utime, long stime) throws IOException {
        Files.createDirectories(proc.resolve(pid + "/task"));
        Files.writeString(proc.resolve(pid + "/stat"), stat(pid, "java", utime, stime));
    }

    private void thread(long pid, long tid, String comm, long utime, long stime) throws IOException {
        Path task = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(task.resolve("comm"), comm + "\n");
        Files.writeString(task.resolve("stat"), stat(tid, comm, utime, stime));
    }

    @Test
    void countsOnlyCompilerThreadsAndTheirTimeInThePhase() throws IOException {
        process(100, 900, 100);
        thread(100, 100, "java", 5, 0);
        thread(100, 101, "C2 CompilerThre", 300, 20);
        thread(100, 102, "C1 CompilerThre", 40, 10);
        thread(100, 103, "executor-thread", 400, 25);
        JitCompilers compilers = new JitCompilers(proc, Map.of("reports", 100L));
        Map<String, JitCompilers.Reading> before = compilers.read();
        assertEquals(Map.of(101L, 320L), before.get("reports").c2());
        assertEquals(Map.of(102L, 50L), before.get("reports").c1());
        assertEquals(1000, before.get("reports").process());

        // in the phase: the process used 1000 ticks; C2 thread 101 200 of them, a second C2 thread started and used
        // 50, C1 thread 102 exited (its time is not known, so not counted), the executor thread the rest
        process(100, 1800, 200);
        thread(100, 101, "C2 CompilerThre", 500, 20);
        thread(100, 104, "C2 CompilerThre", 50, 0);
        Files.delete(proc.resolve("100/task/102/comm"));
        Files.delete(proc.resolve("100/task/102/stat"));
        Files.delete(proc.resolve("100/task/102"));
        thread(100, 103, "executor-thread", 1100, 75);

        assertEquals("| intake | reports 25.0 % (C2 25.0 %, C1 0.0 %) of 10.0 s |",
                JitCompilers.row("intake", before, compilers.read()));
    }

    @Test
    void sharesAreOfEachServicesOwnTime() throws IOException {
        process(1, 0, 0);
        thread(1, 2, "C1 CompilerThre", 0, 0);
        JitCompilers compilers = new JitCompilers(proc, new java.util.LinkedHashMap<>(Map.of("scoring", 1L)));
        Map<String, JitCompilers.Reading> before = compilers.read();
        process(1, 150, 50);
        thread(1, 2, "C1 CompilerThre", 10, 0);
        thread(1, 3, "C2 CompilerThre", 60, 0);
        assertEquals("| echo | scoring 35.0 % (C2 30.0 %, C1 5.0 %) of 2.0 s |",
                JitCompilers.row("echo", before, compilers.read()));
    }

    @Test
    void leavesOutAServiceThatIsNotRunningAndOneThatUsedNoCpu() throws IOException {
        process(1, 10, 0);
        process(2, 10, 0);
        assertNull(JitCompilers.read(proc, 3));
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        pids.put("reports", 1L);
        pids.put("scoring", 2L);
        pids.put("rewards", 3L);
        JitCompilers compilers = new JitCompilers(proc, pids);
        Map<String, JitCompilers.Reading> before = compilers.read();
        assertEquals(2, before.size());
        process(2, 30, 0);
        assertEquals("| score | reports no CPU; scoring 0.0 % (C2 0.0 %, C1 0.0 %) of 0.2 s |",
                JitCompilers.row("score", before, compilers.read()));
    }

    @Test
    void readsThisJvmsOwnCompilerThreads() {
        JitCompilers.Reading self = JitCompilers.read(Path.of("/proc"), ProcessHandle.current().pid());
        assertNotNull(self);
        // HotSpot runs at least one compiler thread of each kind with tiered compilation (the default)
        assertEquals(true, !self.c2().isEmpty() && !self.c1().isEmpty(), "C1 and C2 threads: " + self);
    }
}
