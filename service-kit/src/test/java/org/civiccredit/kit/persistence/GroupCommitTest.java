package org.civiccredit.kit.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.civiccredit.kit.testing.Until;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit: a lone call runs alone; calls that queue behind busy lanes share one group; no more groups run at
 * once than there are lanes, no group is larger than its limit or holds one key twice; and an item a group does not
 * answer is applied alone, by its own thread.
 */
class GroupCommitTest {

    /** An item: a number and the key that two items of one group must not share. */
    record Item(int n, String key) {
    }

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private Function<List<Item>, List<String>> recording(Function<Item, String> answer) {
        return items -> {
            groups.add(items.stream().map(Item::n).toList());
            return items.stream().map(answer).toList();
        };
    }

    @Test
    void aLoneCallRunsAloneAndWaitsForNothing() {
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 2, Item::key, recording(i -> "group-" + i.n()));
        assertThat(commit.submit(new Item(1, "a"), () -> "alone-1")).isEqualTo("alone-1");
        assertThat(commit.submit(new Item(2, "b"), () -> "alone-2")).isEqualTo("alone-2");
        assertThat(groups).isEmpty();
        assertThat(commit.stats()).isEqualTo(new GroupCommit.Stats(0, 0, 0, 0, 2, 0, 0, 0));
    }

    @Test
    void callsThatQueueBehindABusyLaneAreCommittedTogetherInOrder() throws Exception {
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 1, Item::key, recording(i -> "group-" + i.n()));
        CountDownLatch hold = new CountDownLatch(1);
        Future<String> first = occupyTheLane(commit, hold);
        List<Future<String>> queued = queueItems(commit, 1, 20);
        hold.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("alone-0");
        for (int i = 1; i <= 20; i++) {
            assertThat(queued.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("group-" + i);
        }
        assertThat(groups).containsExactly(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
        // Woken once each: the first called to the free lane, the other 19 when their group was done.
        assertThat(commit.stats()).isEqualTo(new GroupCommit.Stats(0, 0, 1, 20, 1, 0, 20, 0));
    }

    @Test
    void noMoreGroupsRunAtOnceThanLanesAndNoGroupExceedsItsLimit() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        Function<List<Item>, List<String>> together = counting(inside, mostInside, () -> sleep(5));
        GroupCommit<Item, String> commit = new GroupCommit<>(5, 2, Item::key, together);
        List<Future<String>> calls = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 60; i++) {
            Item item = new Item(i, "k" + i);
            calls.add(threads.submit(() -> {
                await(start);
                return commit.submit(item, () -> {
                    enter(inside, mostInside);
                    try {
                        sleep(5);
                        return "alone-" + item.n();
                    } finally {
                        inside.decrementAndGet();
                    }
                });
            }));
        }
        start.countDown();
        for (int i = 0; i < 60; i++) {
            assertThat(calls.get(i).get(30, TimeUnit.SECONDS)).isIn("group-" + i, "alone-" + i);
        }
        assertThat(mostInside.get()).isLessThanOrEqualTo(2);
        assertThat(groups).allSatisfy(g -> assertThat(g).hasSizeBetween(2, 5));
        assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(commit.stats().groupedItems());
        assertThat(commit.stats().groups()).isPositive();
        assertThat(commit.stats().groupedItems() + commit.stats().alone()).isEqualTo(60);
    }

    @Test
    void aTransactionsEndWakesOnlyTheCallsOfItsGroupAndOneToTakeTheLane() throws Exception {
        CountDownLatch holdFirstGroup = new CountDownLatch(1);
        Function<List<Item>, List<String>> together = items -> {
            groups.add(items.stream().map(Item::n).toList());
            if (items.get(0).n() == 1) {
                await(holdFirstGroup);
            }
            return items.stream().map(i -> "group-" + i.n()).toList();
        };
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 1, Item::key, together);
        CountDownLatch hold = new CountDownLatch(1);
        Future<String> first = occupyTheLane(commit, hold);
        List<Future<String>> calls = new ArrayList<>(queueItems(commit, 1, 10));
        hold.countDown();
        Until.holds(() -> commit.stats().groups() == 1 && commit.stats().queued() == 0, "items 1-10 never grouped");
        // These queue while the group of 1-10 commits: its end must not wake them, bar the one called to the lane.
        calls.addAll(queueItems(commit, 11, 20));
        holdFirstGroup.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (int i = 1; i <= 20; i++) {
            assertThat(calls.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("group-" + i);
        }
        assertThat(groups).containsExactly(java.util.stream.IntStream.rangeClosed(1, 10).boxed().toList(),
                java.util.stream.IntStream.rangeClosed(11, 20).boxed().toList());
        // Item 1 called to the lane, 2-10 told their group is done, item 11 called, 12-20 told: 20 wake-ups, each
        // with something to do. Waking every waiter at each end would have woken 2-10 at the first end and 12-20 at the
        // second for nothing, 18 more.
        assertThat(commit.stats().wakeUps()).isEqualTo(20);
        assertThat(commit.stats().futileWakeUps()).isZero();
    }

    @Test
    void everyLaneThatComesFreeIsTakenWhileCallsWait() throws Exception {
        CountDownLatch holdGroups = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        Function<List<Item>, List<String>> together = counting(inside, mostInside, () -> await(holdGroups));
        GroupCommit<Item, String> commit = new GroupCommit<>(2, 2, Item::key, together);
        CountDownLatch holdA = new CountDownLatch(1);
        CountDownLatch holdB = new CountDownLatch(1);
        Future<String> a = threads.submit(() -> commit.submit(new Item(0, "k0"), () -> {
            await(holdA);
            return "alone-0";
        }));
        Future<String> b = threads.submit(() -> commit.submit(new Item(100, "k100"), () -> {
            await(holdB);
            return "alone-100";
        }));
        Until.holds(() -> commit.stats().running() == 2, "the lone calls never took both lanes");
        List<Future<String>> calls = queueItems(commit, 1, 8);
        // Both lanes come free at almost the same moment: the second end must call a waiter that the first end's group
        // does not take, or its lane stays idle while six calls wait.
        holdA.countDown();
        holdB.countDown();
        Until.holds(() -> inside.get() == 2, "two lanes free and calls waiting, but not two groups running");
        holdGroups.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("alone-0");
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("alone-100");
        for (int i = 1; i <= 8; i++) {
            assertThat(calls.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("group-" + i);
        }
        assertThat(mostInside.get()).isEqualTo(2);
        assertThat(groups).allSatisfy(g -> assertThat(g).hasSize(2));
    }

    @Test
    void itemsAGroupDoesNotAnswerAndEveryItemOfAFailedGroupAreAppliedAloneByTheirOwnThreads() throws Exception {
        Map<Integer, String> ranOn = new ConcurrentHashMap<>();
        Function<List<Item>, List<String>> together = items -> {
            groups.add(items.stream().map(Item::n).toList());
            if (items.stream().anyMatch(i -> i.n() == 100)) {
                throw new IllegalStateException("this group fails");
            }
            return items.stream().map(i -> i.n() % 2 == 0 ? "group-" + i.n() : null).toList();
        };
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 1, Item::key, together);
        for (List<Integer> numbers : List.of(List.of(1, 2, 3, 4, 5, 6), List.of(100, 102, 104))) {
            CountDownLatch hold = new CountDownLatch(1);
            Future<String> first = occupyTheLane(commit, hold);
            Map<Integer, Future<String>> queued = new java.util.LinkedHashMap<>();
            for (int n : numbers) {
                Item item = new Item(n, "k" + n);
                queued.put(n, queue(commit, item, () -> {
                    ranOn.put(item.n(), Thread.currentThread().getName());
                    return "alone-" + item.n();
                }));
            }
            hold.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (Map.Entry<Integer, Future<String>> call : queued.entrySet()) {
                int n = call.getKey();
                boolean answered = n < 100 && n % 2 == 0;
                assertThat(call.getValue().get(10, TimeUnit.SECONDS)).isEqualTo((answered ? "group-" : "alone-") + n);
            }
        }
        assertThat(groups).containsExactly(List.of(1, 2, 3, 4, 5, 6), List.of(100, 102, 104));
        assertThat(ranOn).containsOnlyKeys(1, 3, 5, 100, 102, 104);
        assertThat(commit.stats().leftAlone()).isEqualTo(6);
    }

    @Test
    void twoItemsWithOneKeyAreNeverInOneGroup() throws Exception {
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 1, Item::key, recording(i -> "group-" + i.n()));
        CountDownLatch hold = new CountDownLatch(1);
        Future<String> first = occupyTheLane(commit, hold);
        List<Future<String>> queued = new ArrayList<>();
        String[] keys = {"a", "b", "a", "c", "a"};
        for (int i = 0; i < keys.length; i++) {
            Item item = new Item(i + 1, keys[i]);
            queued.add(queue(commit, item, () -> "alone-" + item.n()));
        }
        hold.countDown();
        for (int i = 0; i < keys.length; i++) {
            // The third "a" may run alone: by then its group of one is the leader's own call.
            assertThat(queued.get(i).get(10, TimeUnit.SECONDS)).isIn("group-" + (i + 1), "alone-" + (i + 1));
        }
        first.get(10, TimeUnit.SECONDS);
        assertThat(groups.get(0)).containsExactly(1, 2, 4);
        assertThat(groups).allSatisfy(g -> assertThat(g.stream().map(n -> keys[n - 1]).distinct().count())
                .isEqualTo(g.size()));
        assertThat(groups.stream().mapToInt(List::size).sum() + commit.stats().alone()).isEqualTo(6);
    }

    @Test
    void aRefusalOfTheCallAloneReachesItsCallerAndFreesTheLane() {
        GroupCommit<Item, String> commit = new GroupCommit<>(64, 1, Item::key, recording(i -> "group-" + i.n()));
        assertThatThrownBy(() -> commit.submit(new Item(1, "a"), () -> {
            throw new IllegalArgumentException("refused");
        })).hasMessage("refused");
        assertThat(commit.stats().running()).isZero();
        assertThat(commit.submit(new Item(2, "a"), () -> "alone-2")).isEqualTo("alone-2");
    }

    @Test
    void aGroupNeedsTwoItemsAndALane() {
        assertThatThrownBy(() -> new GroupCommit<Item, String>(1, 1, Item::key, items -> List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GroupCommit<Item, String>(2, 0, Item::key, items -> List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Occupies a one-lane commit with a lone call (item 0) that waits for {@code hold}, then answers "alone-0". */
    private Future<String> occupyTheLane(GroupCommit<Item, String> commit, CountDownLatch hold)
            throws InterruptedException {
        Future<String> first = threads.submit(() -> commit.submit(new Item(0, "k0"), () -> {
            await(hold);
            return "alone-0";
        }));
        Until.holds(() -> commit.stats().running() == 1, "the lone call never took the lane");
        return first;
    }

    /** Queues items {@code from} to {@code to} (key "k" and the number; alone, "alone-" and the number) in order. */
    private List<Future<String>> queueItems(GroupCommit<Item, String> commit, int from, int to)
            throws InterruptedException {
        List<Future<String>> queued = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            Item item = new Item(i, "k" + i);
            queued.add(queue(commit, item, () -> "alone-" + item.n()));
        }
        return queued;
    }

    /** Submits {@code item} on a thread of its own and returns once it waits in the queue. */
    private Future<String> queue(GroupCommit<Item, String> commit, Item item, Supplier<String> alone)
            throws InterruptedException {
        int before = commit.stats().queued();
        Future<String> call = threads.submit(() -> commit.submit(item, alone));
        Until.holds(() -> commit.stats().queued() == before + 1, "item " + item.n() + " never queued");
        return call;
    }

    /**
     * Records each group, runs {@code during} inside it and answers "group-" and each number, counting the groups
     * {@code inside} at once and the {@code most} ever inside.
     */
    private Function<List<Item>, List<String>> counting(AtomicInteger inside, AtomicInteger most, Runnable during) {
        return items -> {
            enter(inside, most);
            try {
                groups.add(items.stream().map(Item::n).toList());
                during.run();
                return items.stream().map(i -> "group-" + i.n()).toList();
            } finally {
                inside.decrementAndGet();
            }
        };
    }

    private static void enter(AtomicInteger inside, AtomicInteger most) {
        int now = inside.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

}
