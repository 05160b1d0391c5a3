print("simpul-bench")
