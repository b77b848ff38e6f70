package org.civiccredit.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCpuTest {

    @TempDir
    Path proc;

    /** A process directory as /proc has it: {@code comm}, and {@code stat} with utime and stime. */
    private void process(String pid, String comm, long utime, long stime) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(pid));
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S 1 1 1 0 -1 4194560 100 0 0 0 " + utime + " "
                + stime + " 0 0 20 0 1 0 100 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
    }

    @Test
    void postgresCpuIsTheSumOverEveryProcessOfThatCommand() throws IOException {
        process("101", "postgres", 500, 20);
        process("102", "postgres", 30, 7);
        process("103", "java", 9_000, 900);
        process("104", "postgresql-helper", 1, 1);
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("105"));

        assertThat(ProcessCpu.ticksOfCommand(proc, "postgres")).containsExactlyInAnyOrderEntriesOf(
                Map.of(101L, 520L, 102L, 37L));
        assertThat(ProcessCpu.ticksOfCommand(proc, "redis-server")).as("none running").isEmpty();
    }

    @Test
    void postgresCpuPerOperationCountsWhatItsProcessesUsedBetweenTheReadingsOnly() {
        ProcessCpu.Reading before = new ProcessCpu.Reading(Map.of("rewards", 1_000.0),
                Map.of(101L, 500L, 102L, 30L, 103L, 9_000L));
        // 102 used 20 more ticks, 104 started and used 5, 103 (a connection's backend, say) ended: its 90 s are not
        // taken away; and 101 ended too, its pid taken by a new process that used 15.
        ProcessCpu.Reading after = new ProcessCpu.Reading(Map.of("rewards", 1_500.0),
                Map.of(101L, 15L, 102L, 50L, 104L, 5L));

        assertThat(ProcessCpu.perOperation(before, after, 10)).containsExactly(entry("rewards", 50.0),
                entry(ProcessCpu.POSTGRES, 40.0));
    }

    @Test
    void aCommandWithSpacesOrParenthesesInItsNameIsReadAfterTheLastParenthesis() throws IOException {
        process("201", "postgres", 40, 2);
        Files.writeString(proc.resolve("201").resolve("stat"), "201 (post (gres) S 1 1 1 0 -1 4194560 100 0 0 0 "
                + "40 2 0 0 20 0 1 0 100 1000 10\n");

        assertThat(ProcessCpu.ticksOfCommand(proc, "postgres")).containsEntry(201L, 42L);
    }
}
