print("skytool")
