package org.civiccredit.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a service spent its CPU during a JFR recording: execution samples counted by their top frame (self
 * time), by the first frame of the project's own code on the stack (which of our methods the time is spent
 * under), and by thread, plus how long threads waited on monitors and in socket reads (to PostgreSQL, Redis,
 * other services). Usable alone: {@code java -cp load-test.jar org.civiccredit.load.JfrHotspots FILE.jfr}.
 */
public final class JfrHotspots {

    private JfrHotspots() {
    }

    public static void main(String[] args) throws IOException {
        for (String file : args) {
            System.out.println(summary(Path.of(file), 25));
        }
    }

    public static String summary(Path file, int top) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Double> blockedMs = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                self.merge(frame(st.getFrames().get(0)), 1, Integer::sum);
                ours.merge(firstOwn(st.getFrames()), 1, Integer::sum);
                threads.merge(threadGroup(e.getThread("sampledThread") == null ? "?"
                        : e.getThread("sampledThread").getJavaName()), 1, Integer::sum);
            } else if (type.equals("jdk.JavaMonitorEnter") || type.equals("jdk.SocketRead")
                    || type.equals("jdk.ThreadPark")) {
                blockedMs.merge(type.substring(4), e.getDuration().toNanos() / 1e6, Double::sum);
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s: %d execution samples%n", file.getFileName(),
                samples));
        append(b, "top frames (self)", self, samples, top);
        append(b, "under our code (first org.civiccredit frame on the stack)", ours, samples, top);
        append(b, "by thread", threads, samples, top);
        b.append("waiting (sum of event durations, ms; only events above JFR's thresholds):\n");
        blockedMs.forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-20s %10.0f%n", k, v)));
        return b.toString();
    }

    private static void append(StringBuilder b, String title, Map<String, Integer> counts, int total, int top) {
        b.append(title).append(":\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> b.append(String.format(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / total,
                        e.getKey())));
    }

    private static String firstOwn(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("org.civiccredit.")) {
                return frame(f);
            }
        }
        return "(no project frame: framework, I/O or GC)";
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** Thread names without their numbers, e.g. "executor-thread" or "vert.x-eventloop-thread". */
    static String threadGroup(String name) {
        return name.replaceAll("[-#]?\\d+$", "");
    }
}
