from objstore.proxy.quorum import agreed_etag, best_status, quorum_size


def test_quorum_is_a_strict_majority():
    assert [quorum_size(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_two_successes_of_three_win():
    assert best_status([201, 201, 503], 3) == 201


def test_created_and_accepted_count_together_toward_success():
    assert best_status([201, 202, 404], 3) == 201


def test_one_success_of_three_is_unavailable():
    assert best_status([201, 503, 503], 3) == 503


def test_a_quorum_of_not_found_answers_not_found():
    assert best_status([404, 404, 201], 3) == 404


def test_a_majority_of_server_errors_is_unavailable_not_500():
    assert best_status([500, 500, 500], 3) == 503


def test_conflict_from_a_quorum_is_returned():
    assert best_status([409, 409, 204], 3) == 409


def test_missing_answers_count_against_the_quorum():
    assert best_status([201], 3) == 503


def test_etag_needs_a_quorum_of_identical_values():
    assert agreed_etag(["a" * 32, '"%s"' % ("a" * 32), "b" * 32], 2) == "a" * 32
    assert agreed_etag(["a" * 32, "b" * 32, None], 2) is None


def test_a_busy_device_529_is_a_server_error_but_not_the_nodes_fault():
    from objstore.proxy.quorum import is_node_fault, is_server_error

    assert is_server_error(529) and not is_node_fault(529)
    assert is_node_fault(500) and is_node_fault(503) and is_node_fault(507)
    assert not is_node_fault(404) and not is_node_fault(201)
