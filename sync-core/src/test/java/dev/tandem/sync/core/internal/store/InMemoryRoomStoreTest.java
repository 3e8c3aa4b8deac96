package dev.tandem.sync.core.internal.store;

import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.testing.RoomStoreContract;

class InMemoryRoomStoreTest extends RoomStoreContract {

    @Override
    protected RoomStore newStore() {
        return RoomStore.inMemory();
    }
}
