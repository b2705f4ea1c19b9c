package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who gives way when bodies fill their memory, and that nothing held is ever lost track of. */
class BodyBudgetTest {
  final List<String> gaveWay = new ArrayList<>();

  BodyBudget.Request request(String name) {
    return new BodyBudget.Request() {
      @Override
      public void gaveWay() {
        gaveWay.add(name);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  @Test
  void theOldestStillArrivingGiveWayToTheNewest() {
    BodyBudget small = new BodyBudget(100, true);
    var slow1 = request("slow-1");
    var slow2 = request("slow-2");
    var reviewed = request("reviewed");
    var ordinary = request("ordinary");
    for (var r : List.of(slow1, reviewed, slow2, ordinary)) {
      small.arriving(r);
    }
    assertTrue(small.reserve(slow1, 40));
    assertTrue(small.reserve(reviewed, 30));
    small.arrived(reviewed); // received whole: no longer gives way
    assertTrue(small.reserve(slow2, 30));
    assertTrue(small.reserve(ordinary, 50));
    assertEquals(List.of("slow-1", "slow-2"), gaveWay, "the oldest, until there was room");
    assertEquals(80, small.held());
    assertFalse(small.reserve(slow1, 1), "what a request that gave way still sends is not kept");
    small.release(reviewed);
    small.release(ordinary);
    small.release(slow1); // answered for giving way: holds nothing any more
    assertEquals(0, small.held());
  }

  @Test
  void aNewcomerNeverMakesNewerOnesGiveWay() {
    BodyBudget small = new BodyBudget(100, true);
    var older = request("older");
    var newer = request("newer");
    small.arriving(older);
    small.arriving(newer);
    assertTrue(small.reserve(newer, 90));
    assertFalse(small.reserve(older, 20));
    assertEquals(List.of(), gaveWay);
  }

  @Test
  void aBudgetThatDoesNotEvictRefusesTheNewcomer() {
    BodyBudget large = new BodyBudget(100, false);
    var first = request("first");
    var second = request("second");
    large.arriving(first);
    large.arriving(second);
    assertTrue(large.reserve(first, 80));
    assertFalse(large.reserve(second, 30));
    assertEquals(List.of(), gaveWay);
    assertEquals(80, large.held());
  }
}
